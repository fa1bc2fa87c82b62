using System.Text;
using Shared.Contracts.Events;

namespace UnitTests.Contracts;

public sealed class EventJsonReaderTests
{
    private static bool Read(string json, out EventFields fields, out Dictionary<string, string[]>? errors, EventReadMode mode = EventReadMode.Request) =>
        EventJsonReader.TryRead(Encoding.UTF8.GetBytes(json), mode, out fields, out errors);

    [Fact]
    public void A_minimal_request_is_valid_and_has_no_payload_range()
    {
        var json = """{"userId":"u-1","eventType":"LOGIN"}""";

        Assert.True(Read(json, out var fields, out var errors));

        Assert.Null(errors);
        Assert.Equal("u-1", fields.UserId);
        Assert.Equal(EventType.Login, fields.EventType);
        Assert.Null(fields.EventId);
        Assert.Null(fields.Timestamp);
        Assert.Equal("{}", Encoding.UTF8.GetString(fields.PayloadOf(Encoding.UTF8.GetBytes(json))));
    }

    [Fact]
    public void The_payload_is_returned_as_the_exact_bytes_the_client_sent()
    {
        var json = """{"userId":"u","eventType":"PRODUCT_VIEW","payload": {"sku" : "A-1", "n":[1,2,{"x":null}]} }""";
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.True(EventJsonReader.TryRead(bytes, EventReadMode.Request, out var fields, out _));

        Assert.Equal("""{"sku" : "A-1", "n":[1,2,{"x":null}]}""", Encoding.UTF8.GetString(fields.PayloadOf(bytes)));
    }

    [Fact]
    public void A_client_eventId_and_timestamp_are_kept_and_the_timestamp_is_normalised_to_utc()
    {
        var json = """{"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u","eventType":"LOGOUT","timestamp":"2026-01-31T14:00:00+02:00"}""";

        Assert.True(Read(json, out var fields, out _));

        Assert.Equal(Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), fields.EventId);
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero), fields.Timestamp);
        Assert.Equal(TimeSpan.Zero, fields.Timestamp!.Value.Offset);
    }

    [Fact]
    public void Unknown_fields_are_tolerated_for_forward_compatibility()
    {
        var json = """{"userId":"u","eventType":"LOGIN","sessionId":"s","nested":{"deep":[1,{"a":2}]}}""";

        Assert.True(Read(json, out var fields, out _));

        Assert.Equal("u", fields.UserId);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("   \r\n", "body")]
    [InlineData("[]", "body")]
    [InlineData("\"text\"", "body")]
    [InlineData("42", "body")]
    [InlineData("{\"userId\":\"u\",", "body")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\"", "body")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\"} {}", "body")]
    [InlineData("{'userId':'u'}", "body")]
    [InlineData("{\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":\"\",\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":\"  \\t \",\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":42,\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":null,\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":{\"id\":1},\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":\"u\"}", "eventType")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"login\"}", "eventType")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"PURCHASE\"}", "eventType")]
    [InlineData("{\"userId\":\"u\",\"eventType\":7}", "eventType")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":[1]}", "payload")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":\"{}\"}", "payload")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"eventId\":\"not-a-uuid\"}", "eventId")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"eventId\":12}", "eventId")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"timestamp\":\"yesterday\"}", "timestamp")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"timestamp\":\"2026-01-31T12:00:00\"}", "timestamp")]
    [InlineData("{\"userId\":\"u\",\"userId\":\"v\",\"eventType\":\"LOGIN\"}", "userId")]
    public void An_invalid_document_is_refused_with_the_offending_field_named(string json, string field)
    {
        Assert.False(Read(json, out _, out var errors));

        Assert.NotNull(errors);
        Assert.Contains(field, errors.Keys);
        Assert.All(errors.Values, messages => Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m))));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Assert.False(Read("""{"userId":" ","eventType":"NOPE","payload":1}""", out _, out var errors));

        Assert.Equal(["eventType", "payload", "userId"], errors!.Keys.Order());
    }

    [Fact]
    public void A_userId_longer_than_the_limit_is_refused()
    {
        var json = $$"""{"userId":"{{new string('u', EventSchema.MaxUserIdLength + 1)}}","eventType":"LOGIN"}""";

        Assert.False(Read(json, out _, out var errors));
        Assert.Contains("userId", errors!.Keys);
        Assert.True(Read(json.Replace(new string('u', EventSchema.MaxUserIdLength + 1), new string('u', EventSchema.MaxUserIdLength), StringComparison.Ordinal), out _, out _));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_a_message_that_says_so()
    {
        var depth = EventSchema.MaxDepth + 1;
        var json = """{"userId":"u","eventType":"LOGIN","payload":""" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}";

        Assert.False(Read(json, out _, out var errors));

        Assert.Contains("nested deeper", errors!["body"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\"")]
    [InlineData("{\"userId\":\"u\",\"payload\":{\"a\":[1,2")]
    [InlineData("{\"userId\":")]
    public void A_truncated_document_is_reported_as_invalid_json_not_as_too_deep(string json)
    {
        Assert.False(Read(json, out _, out var errors));

        Assert.StartsWith("The body is not valid JSON", errors!["body"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_event_must_carry_its_eventId_and_timestamp()
    {
        Assert.False(Read("""{"userId":"u","eventType":"LOGIN","payload":{}}""", out _, out var errors, EventReadMode.Published));

        Assert.Equal(["eventId", "timestamp"], errors!.Keys.Order());
    }

    [Fact]
    public void A_payload_over_the_given_limit_is_refused_by_its_bytes_as_written_and_one_at_the_limit_is_not()
    {
        // 12 bytes as written, spaces included: the limit counts what travels, not a normalised form.
        const string Payload = """{ "a" : 1  }""";
        var json = Encoding.UTF8.GetBytes($$"""{"userId":"u","eventType":"LOGIN","payload":{{Payload}}}""");

        Assert.False(EventJsonReader.TryRead(json, EventReadMode.Request, out _, out var errors, maxPayloadBytes: Payload.Length - 1));
        Assert.Contains("at most 11 bytes", Assert.Single(errors!["payload"]), StringComparison.Ordinal);
        Assert.True(EventJsonReader.TryRead(json, EventReadMode.Request, out var fields, out _, maxPayloadBytes: Payload.Length));
        Assert.Equal(Payload, Encoding.UTF8.GetString(fields.PayloadOf(json)));
    }

    [Fact]
    public void Without_a_limit_any_payload_size_is_read_as_the_worker_needs()
    {
        var json = $$$"""{"userId":"u","eventType":"LOGIN","payload":{"x":"{{{new string('x', 200_000)}}}"}}""";

        Assert.True(Read(json, out _, out _));
    }

    [Theory]
    [InlineData("userId")]
    [InlineData("payload")]
    [InlineData("key")]
    public void Bytes_that_are_not_utf8_are_refused_wherever_they_are_even_in_a_payload_that_is_never_decoded(string where)
    {
        byte[] bad = [0xC3, 0x28];
        byte[] json = where switch
        {
            "userId" => [.. """{"eventType":"LOGIN","userId":"u"""u8, .. bad, .. "\"}"u8],
            "payload" => [.. """{"eventType":"LOGIN","userId":"u","payload":{"s":"""u8, .. bad, .. "\"}}"u8],
            _ => [.. """{"eventType":"LOGIN","userId":"u","x"""u8, .. bad, .. "\":1}"u8],
        };

        Assert.False(EventJsonReader.TryRead(json, EventReadMode.Request, out _, out var errors));

        Assert.Equal("The body is not valid UTF-8.", Assert.Single(errors!["body"]));
    }

    [Theory]
    [InlineData("""{"userId":"u\ud800","eventType":"LOGIN"}""", "userId")]
    [InlineData("""{"userId":"u","eventType":"LOGIN\udc00"}""", "eventType")]
    [InlineData("""{"userId":"u","eventType":"LOGIN","eventId":"\ud800"}""", "body")]
    [InlineData("""{"userId":"u","eventType":"LOGIN","\ud800":1}""", "body")]
    public void An_escape_that_is_no_unicode_text_is_refused_and_never_thrown(string json, string field)
    {
        Assert.False(Read(json, out _, out var errors));

        Assert.Contains(field, errors!.Keys);
    }

    [Fact]
    public void A_lone_surrogate_escape_inside_the_payload_is_kept_as_written()
    {
        // The payload is passed on as JSON text, never decoded, so its escapes cannot break anything downstream.
        Assert.True(Read("""{"userId":"u","eventType":"LOGIN","payload":{"s":"\ud800"}}""", out _, out _));
    }
}
