using System.Text.Json.Nodes;
using Shared.Contracts.Events;

namespace Producer.Api.Http;

/// <summary>An event to publish. Only userId and eventType are required; the API fills in the rest.</summary>
internal sealed class NewEvent
{
    /// <summary>The client's idempotency key: posting the same eventId again is safe. Generated (UUIDv7) when absent.</summary>
    public Guid EventId { get; init; }

    /// <summary>Who did it: a non-blank string.</summary>
    public required string UserId { get; init; }

    /// <summary>What happened.</summary>
    public required EventType EventType { get; init; }

    /// <summary>When, with an offset (RFC 3339). The time of the request when absent.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Any JSON object, nested at most 32 deep. An empty object when absent.</summary>
    public JsonObject? Payload { get; init; }
}
