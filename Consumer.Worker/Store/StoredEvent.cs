using Shared.Contracts.Events;

namespace Consumer.Worker.Store;

/// <summary>
/// A processed event as the store keeps it: typed fields, the payload's UTF-8 JSON, and where it was read.
/// <see cref="Sequence"/> is the store's own counter: the order in which events entered it.
/// </summary>
public sealed record StoredEvent(
    Guid EventId,
    string UserId,
    EventType EventType,
    DateTimeOffset Timestamp,
    byte[] PayloadJson,
    int Partition,
    long Offset)
{
    public long Sequence { get; internal set; }
}
