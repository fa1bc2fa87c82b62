using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;

namespace Shared.Contracts.Events;

/// <summary>
/// Validates an event document in one forward pass over its UTF-8 bytes, without building a DOM. The API uses it
/// on request bodies and the worker on Kafka messages, so both apply the same rules. Unknown fields are skipped:
/// a newer producer may add fields that this reader does not know yet.
/// </summary>
public static class EventJsonReader
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = EventSchema.MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>
    /// Reads <paramref name="json"/>. Returns false with every problem found, keyed by field name
    /// (<see cref="EventSchema.Body"/> for the document as a whole); never throws on bad input.
    /// </summary>
    /// <param name="json">The event document, UTF-8.</param>
    /// <param name="mode">Which fields are required.</param>
    /// <param name="fields">What was found, when valid.</param>
    /// <param name="errors">Every problem, when invalid.</param>
    /// <param name="maxPayloadBytes">
    /// The largest payload, counted as its JSON bytes as written. The API passes its setting; the worker passes
    /// none, since an event already in Kafka was accepted under whatever limit applied then.
    /// </param>
    public static bool TryRead(
        ReadOnlySpan<byte> json,
        EventReadMode mode,
        out EventFields fields,
        out Dictionary<string, string[]>? errors,
        int maxPayloadBytes = int.MaxValue)
    {
        errors = null;
        fields = default;
        if (IsBlank(json))
        {
            errors = Single(EventSchema.Body, "The body is empty; send a JSON object.");
            return false;
        }

        // JSON is UTF-8 (RFC 8259). The reader checks it only where it decodes a string, and skips a payload
        // without decoding it: without this, bytes that are not text would be published and later mangled.
        if (!Utf8.IsValid(json))
        {
            errors = Single(EventSchema.Body, "The body is not valid UTF-8.");
            return false;
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        Guid? eventId = null;
        string? userId = null;
        EventType? eventType = null;
        DateTimeOffset? timestamp = null;
        Range? payload = null;
        var seen = new SeenFields();
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                errors = Single(EventSchema.Body, "The body must be a JSON object.");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = KnownField(ref reader);
                reader.Read();
                if (field is null)
                {
                    // Forward compatibility: a field this version does not know is not an error.
                    reader.Skip();
                    continue;
                }

                if (!seen.Add(field))
                {
                    Add(ref errors, field, "The field appears more than once.");
                    reader.Skip();
                    continue;
                }

                switch (field)
                {
                    case EventSchema.EventId:
                        eventId = ReadEventId(ref reader, ref errors);
                        break;
                    case EventSchema.UserId:
                        userId = ReadUserId(ref reader, ref errors);
                        break;
                    case EventSchema.EventType:
                        eventType = ReadEventType(ref reader, ref errors);
                        break;
                    case EventSchema.Timestamp:
                        timestamp = ReadTimestamp(ref reader, ref errors);
                        break;
                    case EventSchema.Payload:
                        payload = ReadPayload(ref reader, maxPayloadBytes, ref errors);
                        break;
                }
            }

            // A second top-level value or trailing garbage makes this throw, which is what we want.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            errors = Single(EventSchema.Body, DescribeMalformed(ex));
            return false;
        }
        catch (InvalidOperationException)
        {
            // The reader raises this when a \u escape is no Unicode text (a lone surrogate such as \ud800) where
            // it must decode one: in a property name or the eventId. userId and eventType say so themselves.
            errors = Single(EventSchema.Body, "The body has a \\u escape that is not valid Unicode (a lone surrogate).");
            return false;
        }

        if (!seen.Contains(EventSchema.UserId))
        {
            Add(ref errors, EventSchema.UserId, "The field is required.");
        }

        if (!seen.Contains(EventSchema.EventType))
        {
            Add(ref errors, EventSchema.EventType, $"The field is required; use one of {EventTypeNames.AllowedList}.");
        }

        if (mode == EventReadMode.Published)
        {
            if (eventId is null && !seen.Contains(EventSchema.EventId))
            {
                Add(ref errors, EventSchema.EventId, "The field is required.");
            }

            if (timestamp is null && !seen.Contains(EventSchema.Timestamp))
            {
                Add(ref errors, EventSchema.Timestamp, "The field is required.");
            }
        }

        if (errors is not null)
        {
            return false;
        }

        fields = new EventFields(eventId, userId, eventType, timestamp, payload);
        return true;
    }

    private static string? KnownField(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals(EventSchema.EventId)) return EventSchema.EventId;
        if (reader.ValueTextEquals(EventSchema.UserId)) return EventSchema.UserId;
        if (reader.ValueTextEquals(EventSchema.EventType)) return EventSchema.EventType;
        if (reader.ValueTextEquals(EventSchema.Timestamp)) return EventSchema.Timestamp;
        if (reader.ValueTextEquals(EventSchema.Payload)) return EventSchema.Payload;
        return null;
    }

    private static Guid? ReadEventId(ref Utf8JsonReader reader, ref Dictionary<string, string[]>? errors)
    {
        if (reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var id))
        {
            return id;
        }

        Add(ref errors, EventSchema.EventId, "Must be a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301.");
        reader.Skip();
        return null;
    }

    private static string? ReadUserId(ref Utf8JsonReader reader, ref Dictionary<string, string[]>? errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            Add(ref errors, EventSchema.UserId, "Must be a string.");
            reader.Skip();
            return null;
        }

        if (!TryGetText(ref reader, out var value))
        {
            Add(ref errors, EventSchema.UserId, "Must be valid Unicode text.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            Add(ref errors, EventSchema.UserId, "Must not be empty or blank.");
            return null;
        }

        if (value.Length > EventSchema.MaxUserIdLength)
        {
            Add(ref errors, EventSchema.UserId, $"Must be at most {EventSchema.MaxUserIdLength} characters.");
            return null;
        }

        return value;
    }

    private static EventType? ReadEventType(ref Utf8JsonReader reader, ref Dictionary<string, string[]>? errors)
    {
        if (reader.TokenType == JsonTokenType.String && TryGetText(ref reader, out var name) && EventTypeNames.TryParse(name, out var type))
        {
            return type;
        }

        Add(ref errors, EventSchema.EventType, $"Must be one of {EventTypeNames.AllowedList}.");
        reader.Skip();
        return null;
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, ref Dictionary<string, string[]>? errors)
    {
        // A time without an offset would be read in the server's zone; refuse the ambiguity instead.
        if (reader.TokenType == JsonTokenType.String
            && reader.TryGetDateTime(out var local)
            && local.Kind != DateTimeKind.Unspecified
            && reader.TryGetDateTimeOffset(out var value))
        {
            return value.ToUniversalTime();
        }

        Add(ref errors, EventSchema.Timestamp, "Must be an ISO 8601 date and time with an offset, such as 2026-01-31T12:00:00Z.");
        reader.Skip();
        return null;
    }

    private static Range? ReadPayload(ref Utf8JsonReader reader, int maxBytes, ref Dictionary<string, string[]>? errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Add(ref errors, EventSchema.Payload, "Must be a JSON object.");
            reader.Skip();
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        if (end - start > maxBytes)
        {
            Add(ref errors, EventSchema.Payload, $"Must be at most {maxBytes} bytes of JSON; this one has {end - start}.");
            return null;
        }

        return new Range(start, end);
    }

    /// <summary>The current string token, or false when it holds a \u escape with no UTF-16 form (a lone surrogate).</summary>
    private static bool TryGetText(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    private static string DescribeMalformed(JsonException ex)
    {
        // The reader's own message names the line and byte of the problem, and nothing about the server.
        var position = ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? $" (line {line + 1}, byte {column + 1})"
            : string.Empty;
        // The reader reports too deep a document as "the maximum configured depth ... has been exceeded"; an
        // unclosed object also speaks of depth ("expected depth to be zero"), but not of a maximum.
        var tooDeep = ex.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase)
            && ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase);
        return tooDeep
            ? $"The JSON is nested deeper than {EventSchema.MaxDepth} levels{position}."
            : $"The body is not valid JSON{position}.";
    }

    private static bool IsBlank(ReadOnlySpan<byte> json) =>
        json.Trim(" \t\r\n"u8).IsEmpty;

    private static Dictionary<string, string[]> Single(string field, string message) =>
        new(StringComparer.Ordinal) { [field] = [message] };

    private static void Add(ref Dictionary<string, string[]>? errors, string field, string message)
    {
        errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }

    /// <summary>The five schema fields as bits: tracks presence and duplicates without allocating.</summary>
    private struct SeenFields
    {
        private int _bits;

        public bool Add(string field)
        {
            var bit = Bit(field);
            var isNew = (_bits & bit) == 0;
            _bits |= bit;
            return isNew;
        }

        public readonly bool Contains(string field) => (_bits & Bit(field)) != 0;

        private static int Bit(string field) => field switch
        {
            EventSchema.EventId => 1,
            EventSchema.UserId => 2,
            EventSchema.EventType => 4,
            EventSchema.Timestamp => 8,
            EventSchema.Payload => 16,
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a schema field."),
        };
    }
}
