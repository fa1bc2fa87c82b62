using Shared.Contracts.Events;

namespace Consumer.Worker.Store;

/// <summary>
/// A processed event as the store keeps it: typed fields and the payload's UTF-8 JSON, with where it was read,
/// so that the store can later be held and dropped per partition.
/// </summary>
public sealed record StoredEvent(
    Guid EventId,
    string UserId,
    EventType EventType,
    DateTimeOffset Timestamp,
    byte[] PayloadJson,
    int Partition,
    long Offset);
