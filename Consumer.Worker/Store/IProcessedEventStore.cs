namespace Consumer.Worker.Store;

/// <summary>
/// The processed events, each eventId once, held per partition: a worker keeps only the partitions it owns,
/// and drops a partition's events when the partition moves to another worker.
/// </summary>
public interface IProcessedEventStore
{
    int Count { get; }

    /// <summary>Adds the event unless one with its eventId is stored already. Safe to call concurrently.</summary>
    /// <returns>true when this call stored it; false for a duplicate.</returns>
    bool TryAdd(StoredEvent processed);

    bool TryGet(Guid eventId, out StoredEvent? processed);

    /// <summary>Removes every event of the partition, as when the partition is revoked.</summary>
    void DropPartition(int partition);

    /// <summary>
    /// The events as they are now, in the order they entered the store. Events added later are not part of it,
    /// so a reader that takes its time never sees the list grow under it.
    /// </summary>
    IEnumerable<StoredEvent> Snapshot();

    /// <summary>Like <see cref="Snapshot()"/>, for these partitions only.</summary>
    IEnumerable<StoredEvent> Snapshot(IReadOnlyCollection<int> partitions);
}
