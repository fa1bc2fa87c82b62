using System.Diagnostics.Metrics;
using Consumer.Worker.Consuming;

namespace Consumer.Worker.Grpc;

/// <summary>
/// What reads that carry a consistency token cost the worker: how many had to wait for an offset, how long, and how
/// the wait ended. A read whose offsets are already stored does not wait and is not counted.
/// </summary>
public sealed class ReadWaitMetrics
{
    private static readonly WaitOutcome[] Outcomes = Enum.GetValues<WaitOutcome>();
    private readonly long[] _totals = new long[Outcomes.Length];
    private readonly KeyValuePair<string, object?>[][] _tags;
    private readonly Histogram<double> _duration;

    public ReadWaitMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(WorkerTelemetry.Name);
        _tags = [.. Outcomes.Select(o => new[] { KeyValuePair.Create("outcome", (object?)Name(o)) })];
        _duration = meter.CreateHistogram(
            "useractivity.worker.read.wait.duration",
            unit: "s",
            description: "How long a read with a consistency token waited for its offsets to be stored, by how the wait ended: reached, released (the partition left this worker) or timed_out.",
            tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    public void Waited(WaitOutcome outcome, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _totals[(int)outcome]);
        _duration.Record(elapsed.TotalSeconds, _tags[(int)outcome]);
    }

    /// <summary>How many reads waited and ended this way since the worker started.</summary>
    public long Total(WaitOutcome outcome) => Interlocked.Read(ref _totals[(int)outcome]);

    private static string Name(WaitOutcome outcome) => outcome switch
    {
        WaitOutcome.Reached => "reached",
        WaitOutcome.Released => "released",
        _ => "timed_out",
    };
}
