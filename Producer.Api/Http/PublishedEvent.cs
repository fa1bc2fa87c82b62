using System.Text.Json.Nodes;
using Shared.Contracts.Events;

namespace Producer.Api.Http;

/// <summary>An event as Kafka holds it: every field present.</summary>
/// <param name="EventId">The event's id: the client's, or generated.</param>
/// <param name="UserId">Who did it.</param>
/// <param name="EventType">What happened.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Payload">The client's payload, verbatim.</param>
internal sealed record PublishedEvent(Guid EventId, string UserId, EventType EventType, DateTimeOffset Timestamp, JsonObject Payload);
