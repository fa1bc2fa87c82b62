namespace Shared.Contracts.Events;

/// <summary>Field names and limits of the event schema, shared by the API's validation and the worker's.</summary>
public static class EventSchema
{
    public const string EventId = "eventId";
    public const string UserId = "userId";
    public const string EventType = "eventType";
    public const string Timestamp = "timestamp";
    public const string Payload = "payload";

    /// <summary>The error key for problems with the document as a whole rather than one field.</summary>
    public const string Body = "body";

    public const int MaxUserIdLength = 256;

    /// <summary>Nesting deeper than this is refused: it serves no activity event and costs stack and CPU.</summary>
    public const int MaxDepth = 32;
}
