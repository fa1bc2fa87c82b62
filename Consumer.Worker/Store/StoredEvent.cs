using Shared.Contracts.Events;

namespace Consumer.Worker.Store;

/// <summary>
/// A processed event as the store keeps it: the fields that lists filter on, the event's JSON document exactly as
/// it was read from Kafka (UTF-8), and where it was read. Keeping the document itself, the Kafka client's own
/// buffer, costs no copy when the event is stored, and lets a list copy bytes instead of writing JSON again.
/// <see cref="Sequence"/> is the store's own counter: the order in which events entered it.
/// </summary>
public sealed record StoredEvent(
    Guid EventId,
    string UserId,
    EventType EventType,
    DateTimeOffset Timestamp,
    byte[] Json,
    int Partition,
    long Offset)
{
    public long Sequence { get; internal set; }

    /// <summary>The payload object's JSON, found again in the document (only the structured gRPC answers need it).</summary>
    public ReadOnlySpan<byte> Payload() =>
        EventJsonReader.TryRead(Json, EventReadMode.Published, out var fields, out _)
            ? fields.PayloadOf(Json)
            : throw new InvalidOperationException($"The stored document of event {EventId} is not a valid event.");
}
