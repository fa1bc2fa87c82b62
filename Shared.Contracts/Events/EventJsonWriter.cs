using System.Buffers;
using System.Text.Json;

namespace Shared.Contracts.Events;

/// <summary>
/// Writes the published form of an event. The payload is copied as raw JSON, already validated by
/// <see cref="EventJsonReader"/>, so an event is never parsed into a DOM and serialized again.
/// </summary>
public static class EventJsonWriter
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static void Write(
        IBufferWriter<byte> output,
        Guid eventId,
        string userId,
        EventType eventType,
        DateTimeOffset timestamp,
        ReadOnlySpan<byte> payloadJson)
    {
        // One writer per thread, reset onto each output: the writer is the only allocation worth saving here.
        var writer = t_writer ??= new Utf8JsonWriter(output);
        writer.Reset(output);
        WriteObject(writer, eventId, userId, eventType, timestamp, payloadJson);
        writer.Flush();
    }

    /// <summary>Writes the event as one JSON object into a writer that is already open (an array, say).</summary>
    public static void WriteObject(
        Utf8JsonWriter writer,
        Guid eventId,
        string userId,
        EventType eventType,
        DateTimeOffset timestamp,
        ReadOnlySpan<byte> payloadJson)
    {
        writer.WriteStartObject();
        writer.WriteString(EventSchema.EventId, eventId);
        writer.WriteString(EventSchema.UserId, userId);
        writer.WriteString(EventSchema.EventType, eventType.ToWireName());
        Span<byte> formatted = stackalloc byte[EventTimestamps.MaxLength];
        writer.WriteString(EventSchema.Timestamp, formatted[..EventTimestamps.Format(timestamp, formatted)]);
        writer.WritePropertyName(EventSchema.Payload);
        writer.WriteRawValue(payloadJson, skipInputValidation: true);
        writer.WriteEndObject();
    }
}
