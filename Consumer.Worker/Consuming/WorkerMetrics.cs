using System.Diagnostics.Metrics;

namespace Consumer.Worker.Consuming;

/// <summary>What the consume loop did with each message: a counter on the worker's meter, and totals for health.</summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Consumer.Worker";

    private static readonly HandleOutcome[] Outcomes = Enum.GetValues<HandleOutcome>();
    private readonly Counter<long> _handled;
    private readonly long[] _totals = new long[Outcomes.Length];
    private readonly KeyValuePair<string, object?>[] _tags;

    public WorkerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _handled = meter.CreateCounter<long>(
            "useractivity.worker.events",
            unit: "{event}",
            description: "Messages handled by the worker, by outcome: stored, duplicate, rebuilt, malformed or failed.");
        _tags = [.. Outcomes.Select(o => KeyValuePair.Create("outcome", (object?)o.ToString().ToLowerInvariant()))];
    }

    public void Record(HandleOutcome outcome)
    {
        Interlocked.Increment(ref _totals[(int)outcome]);
        _handled.Add(1, _tags[(int)outcome]);
    }

    /// <summary>How many messages had this outcome since the worker started.</summary>
    public long Total(HandleOutcome outcome) => Interlocked.Read(ref _totals[(int)outcome]);
}
