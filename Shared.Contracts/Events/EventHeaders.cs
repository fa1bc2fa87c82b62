namespace Shared.Contracts.Events;

/// <summary>Kafka headers written with every event. Readers use them to decide how to decode the value.</summary>
public static class EventHeaders
{
    public const string ContentType = "content-type";
    public const string SchemaVersion = "schema-version";

    public const string JsonContentType = "application/json";

    /// <summary>Version 1 is the schema of <see cref="UserActivityEvent"/>. A breaking change gets a new number.</summary>
    public const string CurrentSchemaVersion = "1";
}
