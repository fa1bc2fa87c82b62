namespace Shared.Contracts.Events;

/// <summary>Which fields <see cref="EventJsonReader"/> requires.</summary>
public enum EventReadMode
{
    /// <summary>A client's request: eventId and timestamp are optional, the service fills them in.</summary>
    Request,

    /// <summary>An event read back from Kafka: every field of the schema is required.</summary>
    Published,
}
