namespace Consumer.Worker.Store;

/// <summary>The processed events, each eventId once, in the order they were first stored.</summary>
public interface IProcessedEventStore
{
    int Count { get; }

    /// <summary>Adds the event unless one with its eventId is stored already. Safe to call concurrently.</summary>
    /// <returns>true when this call stored it; false for a duplicate.</returns>
    bool TryAdd(StoredEvent processed);

    bool TryGet(Guid eventId, out StoredEvent? processed);

    /// <summary>Copies events in processing order, starting at <paramref name="start"/>; returns how many.</summary>
    int CopyTo(int start, Span<StoredEvent> destination);
}
