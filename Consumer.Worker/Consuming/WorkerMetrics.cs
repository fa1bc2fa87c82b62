using System.Diagnostics.Metrics;
using Shared.Hosting.Telemetry;

namespace Consumer.Worker.Consuming;

/// <summary>
/// What the consume loop did with each message. The counts are plain totals read at scrape time: every outcome shows
/// from the start (0, not absent), health and tests read the same numbers, and the per-message cost is one increment.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = WorkerTelemetry.Name;

    private readonly OutcomeCounts<HandleOutcome> _totals = new("outcome", TagValue);
    private readonly OutcomeCounts<HandleOutcome> _deadLetters = new("outcome", TagValue);
    private readonly Histogram<double> _storedDelay;
    private readonly TimeProvider _time;

    public WorkerMetrics(IMeterFactory meters, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time ?? TimeProvider.System;
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter(
            "useractivity.worker.events",
            () => _totals.Observe(),
            unit: "{event}",
            description: "Messages handled by the worker, by outcome: stored, duplicate, rebuilt, malformed or failed.");
        meter.CreateObservableCounter(
            "useractivity.worker.dead_letters",
            () => _deadLetters.Observe(static outcome => outcome is HandleOutcome.Malformed or HandleOutcome.Failed),
            unit: "{message}",
            description: "Messages written to the dead-letter topic (and acknowledged there), by why: malformed, or failed after its retries.");
        _storedDelay = meter.CreateHistogram(
            "useractivity.worker.stored.delay",
            unit: "s",
            description: "Time from an event's own timestamp to its entry into the store: the pipeline's end-to-end delay (a client-set timestamp counts from when the client says).",
            tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
            });
    }

    /// <param name="outcome">What became of the message.</param>
    /// <param name="timestamp">The event's timestamp, for a stored event.</param>
    public void Record(HandleOutcome outcome, DateTimeOffset? timestamp = null)
    {
        _totals.Increment(outcome);
        if (outcome == HandleOutcome.Stored && timestamp is { } at && _storedDelay.Enabled)
        {
            // A client's clock ahead of ours is no negative delay.
            _storedDelay.Record(Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds));
        }
    }

    /// <summary>The dead-letter topic has acknowledged the message, which had this outcome.</summary>
    public void DeadLettered(HandleOutcome outcome) => _deadLetters.Increment(outcome);

    /// <summary>How many messages had this outcome since the worker started.</summary>
    public long Total(HandleOutcome outcome) => _totals.Total(outcome);

    public long DeadLetters(HandleOutcome outcome) => _deadLetters.Total(outcome);

    private static string TagValue(HandleOutcome outcome) => outcome.ToString().ToLowerInvariant();
}
