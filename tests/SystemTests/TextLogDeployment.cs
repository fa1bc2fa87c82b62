using System.Globalization;

namespace SystemTests;

/// <summary>The API and the worker as OS processes with text logs, shared by the hostile-input tests.</summary>
public sealed class TextLogDeployment : IAsyncLifetime
{
    public const int MaxBodyBytes = 65_536;
    public const int MaxPayloadBytes = 16_384;

    /// <summary>Below the mutator's largest batch, so the limit is met too.</summary>
    public const int MaxBatchEvents = 16;

    private ProcessDeployment? _stack;

    public ProcessDeployment Stack => _stack!;

    public async ValueTask InitializeAsync() =>
        _stack = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["LOG_FORMAT"] = "text",
            ["MAX_BODY_BYTES"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            ["MAX_PAYLOAD_BYTES"] = MaxPayloadBytes.ToString(CultureInfo.InvariantCulture),
            ["MAX_BATCH_EVENTS"] = MaxBatchEvents.ToString(CultureInfo.InvariantCulture),
        });

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
