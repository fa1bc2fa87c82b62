using System.Diagnostics.Metrics;

namespace Consumer.Worker.Consuming;

/// <summary>What the consume loop did with each message, as counters on the worker's meter.</summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Consumer.Worker";

    private readonly Counter<long> _consumed;

    public WorkerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _consumed = meter.CreateCounter<long>(
            "useractivity.worker.events",
            unit: "{event}",
            description: "Messages handled by the worker, by outcome: stored, duplicate or malformed.");
    }

    public void Record(HandleOutcome outcome) =>
        _consumed.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            HandleOutcome.Stored => "stored",
            HandleOutcome.Duplicate => "duplicate",
            _ => "malformed",
        }));
}
