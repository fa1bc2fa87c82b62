using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Consumer.Worker.Store;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;
using Shared.Hosting.Telemetry;

namespace Consumer.Worker.Consuming;

/// <summary>
/// The consumer's side of the worker's metrics: messages consumed per partition, rebalances, consumer lag per owned
/// partition, the progress of rebuilds, and the store's size. Lag comes from librdkafka's statistics, which the
/// consume loop hands in every second: the partition's high watermark against the offset this worker has reached.
/// Events lost to retention: those the log start passed before this worker (or its group) had processed them.
/// </summary>
public sealed class ConsumerMetrics
{
    private readonly ConcurrentDictionary<int, StrongBox<long>> _consumed = new();
    private readonly ConcurrentDictionary<int, long> _lag = new();
    private readonly ConcurrentDictionary<int, StrongBox<long>> _lostToRetention = new();
    private readonly OutcomeCounts<PartitionChange> _rebalances = new("change", static change => change.ToString().ToLowerInvariant());
    private readonly ServingState _serving;
    private readonly KafkaClientMetrics _statistics;
    private readonly string _topic;
    private readonly string _group;

    public ConsumerMetrics(
        IMeterFactory meters,
        IOptions<KafkaOptions> kafka,
        IProcessedEventStore store,
        ServingState serving,
        KafkaClientMetrics statistics)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(store);
        _serving = serving;
        _statistics = statistics;
        _topic = kafka.Value.Topic;
        _group = kafka.Value.ConsumerGroup;
        var meter = meters.Create(WorkerTelemetry.Name);
        // The messaging semantic conventions' consumer counter: every message read, rebuilt ones included.
        meter.CreateObservableCounter(
            "messaging.client.consumed.messages",
            ObserveConsumed,
            unit: "{message}",
            description: "Messages the worker read from Kafka, per partition, including those read again to rebuild the store.");
        meter.CreateObservableCounter(
            "useractivity.worker.rebalances",
            () => _rebalances.Observe(),
            unit: "{rebalance}",
            description: "Changes to this worker's share of the partitions: assigned, revoked, or lost (taken away without a clean revocation).");
        meter.CreateObservableCounter(
            "useractivity.worker.events.lost_to_retention",
            ObserveLostToRetention,
            unit: "{event}",
            description: "Events never processed because retention deleted them before this worker (or its group) read them: the consumer jumped from the offset it expected to the new log start. Any increase is data loss.");
        meter.CreateObservableGauge(
            "useractivity.worker.consumer.lag",
            ObserveLag,
            unit: "{message}",
            description: "Messages in each owned partition beyond the offset this worker has processed and stored (high watermark minus that offset).");
        meter.CreateObservableGauge(
            "useractivity.worker.rebuild.remaining",
            ObserveRebuild,
            unit: "{message}",
            description: "Messages below the committed offset still to be read back into the store after an assignment, per owned partition; 0 once rebuilt.");
        meter.CreateObservableGauge(
            "useractivity.worker.partitions",
            ObservePartitions,
            unit: "{partition}",
            description: "Partitions this worker owns (state=assigned); of those, the ones it is still rebuilding (state=rebuilding) or catching up to their end as of the assignment (state=catching_up); and lost partitions whose events it keeps for lookups (state=kept).");
        meter.CreateObservableGauge(
            "useractivity.worker.store.events",
            () => (long)store.Count,
            unit: "{event}",
            description: "Events in this worker's in-memory store: those of the partitions it owns.");
    }

    /// <summary>librdkafka's statistics.interval.ms for the consumer: 0 while metrics are off.</summary>
    public int StatisticsIntervalMs => _statistics.StatisticsIntervalMs;

    public void Consumed(int partition) =>
        Interlocked.Increment(ref _consumed.GetOrAdd(partition, static _ => new StrongBox<long>()).Value);

    public void Assigned() => _rebalances.Increment(PartitionChange.Assigned);

    public void LostToRetention(int partition, long events) =>
        Interlocked.Add(ref _lostToRetention.GetOrAdd(partition, static _ => new StrongBox<long>()).Value, events);

    /// <summary>Events of the partition lost to retention since the worker started.</summary>
    public long LostToRetention(int partition) =>
        _lostToRetention.TryGetValue(partition, out var count) ? Interlocked.Read(ref count.Value) : 0;

    public void Revoked(IEnumerable<int> partitions, bool lost)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        _rebalances.Increment(lost ? PartitionChange.Lost : PartitionChange.Revoked);
        foreach (var partition in partitions)
        {
            _lag.TryRemove(partition, out _);
        }
    }

    /// <summary>
    /// Takes the consumer's statistics. A partition's lag is its high watermark minus the offset processed so far:
    /// the later of the committed and the stored (processed, not yet committed) offset; with neither, the log start,
    /// since everything in the log is still to be processed.
    /// </summary>
    public void OnStatistics(string json)
    {
        var statistics = _statistics.OnStatistics("consumer", json);
        foreach (var partition in statistics.Partitions)
        {
            if (!string.Equals(partition.Topic, _topic, StringComparison.Ordinal))
            {
                continue;
            }

            var processed = Math.Max(partition.Committed, partition.Stored);
            if (processed < 0)
            {
                processed = partition.LogStart;
            }

            if (partition.HighWatermark >= 0 && processed >= 0)
            {
                _lag[partition.Partition] = Math.Max(0, partition.HighWatermark - processed);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveConsumed()
    {
        foreach (var (partition, count) in _consumed)
        {
            yield return new Measurement<long>(
                Interlocked.Read(ref count.Value),
                new("messaging.system", "kafka"),
                new("messaging.destination.name", _topic),
                new("messaging.consumer.group.name", _group),
                new("messaging.destination.partition.id", PartitionId(partition)));
        }
    }

    /// <summary>Owned partitions show from the start, at 0, so that an alert on any increase has a series to watch.</summary>
    private IEnumerable<Measurement<long>> ObserveLostToRetention()
    {
        foreach (var partition in _lostToRetention.Keys.Union(_serving.Current.Owned).Order())
        {
            yield return new Measurement<long>(
                LostToRetention(partition),
                new("messaging.destination.name", _topic),
                new("messaging.consumer.group.name", _group),
                new("messaging.destination.partition.id", PartitionId(partition)));
        }
    }

    /// <summary>Only partitions owned now: a revoked partition's lag is its new owner's to report.</summary>
    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var partition in _serving.Current.Owned)
        {
            if (_lag.TryGetValue(partition, out var lag))
            {
                yield return new Measurement<long>(
                    lag,
                    new("messaging.destination.name", _topic),
                    new("messaging.consumer.group.name", _group),
                    new("messaging.destination.partition.id", PartitionId(partition)));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveRebuild()
    {
        foreach (var partition in _serving.Current.Partitions)
        {
            if (partition.Phase == PartitionPhase.Kept)
            {
                continue;
            }

            yield return new Measurement<long>(
                partition.RebuildRemaining,
                new("messaging.destination.name", _topic),
                new("messaging.destination.partition.id", PartitionId(partition.Partition)));
        }
    }

    private IEnumerable<Measurement<int>> ObservePartitions()
    {
        var current = _serving.Current;
        yield return new Measurement<int>(current.Owned.Count, new KeyValuePair<string, object?>("state", "assigned"));
        yield return new Measurement<int>(current.Rebuilding.Count, new KeyValuePair<string, object?>("state", "rebuilding"));
        yield return new Measurement<int>(current.CatchingUp.Count, new KeyValuePair<string, object?>("state", "catching_up"));
        yield return new Measurement<int>(current.Kept.Count, new KeyValuePair<string, object?>("state", "kept"));
    }

    private static string PartitionId(int partition) => partition.ToString(CultureInfo.InvariantCulture);
}
