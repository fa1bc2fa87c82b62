using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Producer.Api.Ingest;
using Shared.Contracts.Events;

namespace UnitTests.Api;

public sealed class EventFactoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static UserActivityEvent Create(string requestJson, out OutgoingEvent outgoing)
    {
        var bytes = Encoding.UTF8.GetBytes(requestJson);
        Assert.True(EventJsonReader.TryRead(bytes, EventReadMode.Request, out var fields, out _));
        outgoing = new EventFactory(new FakeTimeProvider(Now)).Create(fields, bytes);
        return JsonSerializer.Deserialize(outgoing.Json, ContractsJsonContext.Default.UserActivityEvent)!;
    }

    [Fact]
    public void A_request_without_id_timestamp_or_payload_gets_a_new_uuid_the_current_time_and_an_empty_payload()
    {
        var created = Create("""{"userId":"u-1","eventType":"LOGIN"}""", out var outgoing);

        Assert.NotEqual(Guid.Empty, created.EventId);
        Assert.Equal(7, created.EventId.Version);
        Assert.Equal(outgoing.EventId, created.EventId);
        Assert.Equal(Now, created.Timestamp);
        Assert.Equal(JsonValueKind.Object, created.Payload.ValueKind);
        Assert.Empty(created.Payload.EnumerateObject());
        Assert.Equal("u-1", created.UserId);
        Assert.Equal(EventType.Login, created.EventType);
    }

    [Fact]
    public void Two_requests_get_two_different_ids()
    {
        var first = Create("""{"userId":"u","eventType":"LOGIN"}""", out _);
        var second = Create("""{"userId":"u","eventType":"LOGIN"}""", out _);

        Assert.NotEqual(first.EventId, second.EventId);
    }

    [Fact]
    public void A_client_eventId_and_timestamp_are_used_as_sent()
    {
        var created = Create(
            """{"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u","eventType":"LOGOUT","timestamp":"2025-02-03T04:05:06Z","payload":{"k":"v"}}""",
            out _);

        Assert.Equal(Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), created.EventId);
        Assert.Equal(new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero), created.Timestamp);
        Assert.Equal("v", created.Payload.GetProperty("k").GetString());
    }

    [Fact]
    public void Unknown_request_fields_are_not_published()
    {
        Create("""{"userId":"u","eventType":"LOGIN","secret":"do-not-forward"}""", out var outgoing);

        Assert.DoesNotContain("do-not-forward", Encoding.UTF8.GetString(outgoing.Json), StringComparison.Ordinal);
    }
}
