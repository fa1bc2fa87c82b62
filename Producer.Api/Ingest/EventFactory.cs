using System.Buffers;
using Shared.Contracts.Events;

namespace Producer.Api.Ingest;

/// <summary>Completes a validated request into the published event.</summary>
internal sealed class EventFactory(TimeProvider time)
{
    public OutgoingEvent Create(in EventFields fields, ReadOnlySpan<byte> requestJson)
    {
        var now = time.GetUtcNow();
        // A client-sent eventId is its idempotency key and is kept as is. A generated one is a UUIDv7, ordered
        // by time, which keeps ids readable in logs.
        var eventId = fields.EventId ?? Guid.CreateVersion7(now);
        var timestamp = fields.Timestamp ?? now;
        var buffer = new ArrayBufferWriter<byte>(requestJson.Length + 128);
        EventJsonWriter.Write(
            buffer,
            eventId,
            fields.UserId!,
            fields.EventType!.Value,
            timestamp,
            fields.PayloadOf(requestJson));
        return new OutgoingEvent(eventId, buffer.WrittenSpan.ToArray());
    }
}
