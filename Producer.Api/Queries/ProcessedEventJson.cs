using System.Text.Json;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

/// <summary>Writes a processed event from the worker in the published event's JSON form.</summary>
internal static class ProcessedEventJson
{
    public static void Write(Utf8JsonWriter writer, ProcessedEvent processed)
    {
        if (!processed.Json.IsEmpty)
        {
            // The document as it was published and stored, validated by the worker when it read it: copied as bytes.
            writer.WriteRawValue(processed.Json.Span, skipInputValidation: true);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(EventSchema.EventId, processed.EventId);
        writer.WriteString(EventSchema.UserId, processed.UserId);
        writer.WriteString(EventSchema.EventType, processed.EventType);
        writer.WriteString(EventSchema.Timestamp, processed.Timestamp);
        writer.WritePropertyName(EventSchema.Payload);
        // The worker stored the payload after validating it as a JSON object; it is passed on verbatim.
        writer.WriteRawValue(processed.PayloadJson, skipInputValidation: true);
        writer.WriteEndObject();
    }
}
