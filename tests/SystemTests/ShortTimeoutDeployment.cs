namespace SystemTests;

/// <summary>The API and the worker as OS processes with a short request timeout, so that slow clients are quick to test.</summary>
public sealed class ShortTimeoutDeployment : IAsyncLifetime
{
    public const int RequestTimeoutMs = 2_000;

    private ProcessDeployment? _stack;

    public ProcessDeployment Stack => _stack!;

    public async ValueTask InitializeAsync() =>
        _stack = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["PUBLISH_TIMEOUT_MS"] = "1000",
            ["WORKER_CALL_TIMEOUT_MS"] = "1000",
            ["REQUEST_TIMEOUT_MS"] = RequestTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A read's wait for a consistency token and its worker call must fit in the request's time.
            ["CONSISTENCY_WAIT_MS"] = "500",
        });

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
