using System.Collections.Concurrent;

namespace Consumer.Worker.Store;

/// <summary>
/// In-memory and idempotent. The dictionary's atomic TryAdd decides which delivery of an eventId wins, so
/// concurrent and repeated deliveries leave exactly one entry. Each partition has an append-only log that keeps
/// processing order; dropping a partition swaps its log for an empty one, so snapshots already taken stay whole.
/// </summary>
public sealed class ProcessedEventStore : IProcessedEventStore
{
    private readonly ConcurrentDictionary<Guid, StoredEvent> _byId = new();
    private readonly Dictionary<int, AppendOnlyLog<StoredEvent>> _partitions = [];
    private readonly Lock _gate = new();
    private long _sequence;

    public int Count => _byId.Count;

    public bool TryAdd(StoredEvent processed)
    {
        ArgumentNullException.ThrowIfNull(processed);
        lock (_gate)
        {
            // Under the lock so that a concurrent DropPartition cannot leave an id behind without its log entry.
            if (!_byId.TryAdd(processed.EventId, processed))
            {
                return false;
            }

            processed.Sequence = ++_sequence;
            if (!_partitions.TryGetValue(processed.Partition, out var log))
            {
                _partitions[processed.Partition] = log = new AppendOnlyLog<StoredEvent>();
            }

            log.Append(processed);
            return true;
        }
    }

    public bool TryGet(Guid eventId, out StoredEvent? processed) => _byId.TryGetValue(eventId, out processed);

    public void DropPartition(int partition)
    {
        lock (_gate)
        {
            if (!_partitions.Remove(partition, out var log))
            {
                return;
            }

            for (var i = 0; i < log.Count; i++)
            {
                _byId.TryRemove(KeyValuePair.Create(log[i].EventId, log[i]));
            }
        }
    }

    public IEnumerable<StoredEvent> Snapshot() => TakeSnapshot(partitions: null);

    public IEnumerable<StoredEvent> Snapshot(IReadOnlyCollection<int> partitions) => TakeSnapshot(partitions);

    private IEnumerable<StoredEvent> TakeSnapshot(IReadOnlyCollection<int>? partitions)
    {
        (AppendOnlyLog<StoredEvent> Log, int Count)[] parts;
        lock (_gate)
        {
            parts = [.. _partitions
                .Where(entry => partitions is null || partitions.Contains(entry.Key))
                .Select(entry => (entry.Value, entry.Value.Count))];
        }

        return Merge(parts);
    }

    /// <summary>Merges the partitions' logs by sequence: each log is already in order, so a heap of heads suffices.</summary>
    private static IEnumerable<StoredEvent> Merge((AppendOnlyLog<StoredEvent> Log, int Count)[] parts)
    {
        var heads = new PriorityQueue<int, long>(parts.Length);
        var next = new int[parts.Length];
        for (var p = 0; p < parts.Length; p++)
        {
            if (parts[p].Count > 0)
            {
                heads.Enqueue(p, parts[p].Log[0].Sequence);
            }
        }

        while (heads.TryDequeue(out var p, out _))
        {
            yield return parts[p].Log[next[p]];
            if (++next[p] < parts[p].Count)
            {
                heads.Enqueue(p, parts[p].Log[next[p]].Sequence);
            }
        }
    }
}
