using System.Text.Json;

namespace Shared.Contracts.Events;

/// <summary>
/// The event as it travels on Kafka and as the API returns it. Services read and write it with
/// <see cref="EventJsonReader"/> and <see cref="EventJsonWriter"/>, which keep the payload as raw JSON;
/// this record is the typed view for clients and tests.
/// </summary>
public sealed record UserActivityEvent(
    Guid EventId,
    string UserId,
    EventType EventType,
    DateTimeOffset Timestamp,
    JsonElement Payload);
