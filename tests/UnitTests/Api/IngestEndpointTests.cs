using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Hosting;
using Moq;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;

namespace UnitTests.Api;

public sealed class IngestEndpointTests : IDisposable
{
    private readonly ApiWithMockedKafka _api = new();

    public void Dispose() => _api.Dispose();

    private Task<HttpResponseMessage> PostAsync(string body, string contentType = "application/json") =>
        _api.CreateClient().PostAsync(
            "/events/generate",
            new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)),
            TestContext.Current.CancellationToken);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task An_acknowledged_event_is_answered_201_with_the_published_event_and_its_location()
    {
        _api.AcknowledgeEverything();

        var response = await PostAsync("""{"userId":"u-1","eventType":"PRODUCT_VIEW","payload":{"sku":"A"}}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var created = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.UserActivityEvent)!;
        Assert.Equal($"/events/processed/{created.EventId}", response.Headers.Location?.OriginalString);
        Assert.Equal("u-1", created.UserId);
        Assert.Equal("A", created.Payload.GetProperty("sku").GetString());
        var published = Assert.Single(_api.Published);
        // The event exactly as published, then where Kafka put it.
        var partition = EventPartitioner.PartitionOf(created.EventId, ApiWithMockedKafka.Partitions);
        Assert.Equal([.. published.Value[..^1], .. Encoding.UTF8.GetBytes($",\"partition\":{partition},\"offset\":0}}")], body);
        Assert.Equal(created.EventId.ToString(), published.Key);
    }

    [Fact]
    public async Task A_201_carries_a_consistency_token_naming_the_events_partition_and_offset()
    {
        _api.AcknowledgeEverything();

        var first = await PostAsync("""{"userId":"u-1","eventType":"LOGIN"}""");
        var second = await PostAsync("""{"userId":"u-2","eventType":"LOGIN"}""");

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var partition = body.RootElement.GetProperty("partition").GetInt32();
            var offset = body.RootElement.GetProperty("offset").GetInt64();
            Assert.True(ConsistencyToken.TryParse(Assert.Single(response.Headers.GetValues(ConsistencyToken.HeaderName)), "user-activity-events", out var token, out _));
            Assert.Equal([new KeyValuePair<int, long>(partition, offset)], token.Positions);
        }
    }

    [Fact]
    public async Task A_write_that_carries_a_token_is_answered_one_that_covers_both()
    {
        _api.AcknowledgeEverything();
        var earlier = ConsistencyToken.For("user-activity-events", [new(0, 500), new(1, 7), new(2, 9)]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/generate")
        {
            Content = new StringContent("""{"userId":"u-1","eventType":"LOGIN"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(ConsistencyToken.HeaderName, earlier.ToString());

        var response = await _api.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var written = ConsistencyToken.For(
            "user-activity-events", [new(body.RootElement.GetProperty("partition").GetInt32(), body.RootElement.GetProperty("offset").GetInt64())]);
        Assert.True(ConsistencyToken.TryParse(Assert.Single(response.Headers.GetValues(ConsistencyToken.HeaderName)), "user-activity-events", out var answered, out _));
        Assert.Equal(earlier.Merge(written), answered);
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("AQ")]
    public async Task A_write_with_a_malformed_token_is_answered_400_and_nothing_is_published(string token)
    {
        _api.AcknowledgeEverything();

        var response = await _api.CreateClient().PostAsync(
            $"/events/generate?consistencyToken={Uri.EscapeDataString(token)}",
            new StringContent("""{"userId":"u-1","eventType":"LOGIN"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(ConsistencyToken.QueryName, out _));
        Assert.Empty(_api.Published);
    }

    /// <summary>
    /// On both routes the token is read before the body: a request with a bad token and a body past the limit is
    /// answered with the token's 400, naming where the token is wrong, not with a 413.
    /// </summary>
    [Theory]
    [InlineData("/events/generate")]
    [InlineData("/events/generate/batch")]
    public async Task A_bad_token_is_refused_before_the_body_is_read(string route)
    {
        _api.AcknowledgeEverything();
        // Past both routes' limits: the single event's of this host, and the batch's default of 1 MiB.
        var body = new string(' ', 2 * 1_048_576) + "{}";
        using var request = new HttpRequestMessage(HttpMethod.Post, route)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(ConsistencyToken.HeaderName, "not a token");

        var response = await _api.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(ConsistencyToken.HeaderName, out _));
        Assert.Empty(_api.Published);
    }

    [Theory]
    [InlineData(ErrorCode.Local_MsgTimedOut)]
    [InlineData(ErrorCode.Local_AllBrokersDown)]
    [InlineData(ErrorCode.Local_QueueFull)]
    public async Task A_kafka_failure_is_answered_503_with_retry_after_and_the_eventId_to_retry_with(ErrorCode code)
    {
        _api.FailEverything(code);

        var response = await PostAsync("""{"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u","eventType":"LOGIN"}""");

        var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Contains("3f2504e0-4f89-41d3-9a0c-0305e82c3301", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Every wrong content type, on both routes: the same 415 with the same advice (curl -d sends form-urlencoded).</summary>
    public static TheoryData<string, string?> WrongContentTypes()
    {
        var data = new TheoryData<string, string?>();
        foreach (var route in new[] { "/events/generate", "/events/generate/batch" })
        {
            foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "text/json", null })
            {
                data.Add(route, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongContentTypes))]
    public async Task A_body_that_is_not_json_by_content_type_is_answered_415_saying_what_to_send(string route, string? contentType)
    {
        _api.AcknowledgeEverything();
        var body = route.EndsWith("batch", StringComparison.Ordinal) ? """[{"userId":"u","eventType":"LOGIN"}]""" : """{"userId":"u","eventType":"LOGIN"}""";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var response = await _api.CreateClient().PostAsync(route, content, TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported media type.", problem.GetProperty("title").GetString());
        Assert.Equal("Send the event as Content-Type: application/json.", problem.GetProperty("detail").GetString());
        Assert.Empty(_api.Published);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_answered_413_whether_or_not_its_length_is_announced()
    {
        _api.AcknowledgeEverything();
        var big = "{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":{\"x\":\"" + new string('x', ApiWithMockedKafka.MaxBodyBytes) + "\"}}";

        var announced = await PostAsync(big);
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var chunked = await _api.CreateClient().PostAsync("/events/generate", streamed, TestContext.Current.CancellationToken);

        await ProblemAsync(announced, HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(_api.Published);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("{\"userId\":\"u\",\"eventType\":", "body")]
    [InlineData("[{\"userId\":\"u\"}]", "body")]
    [InlineData("{\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":\"   \",\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":5,\"eventType\":\"LOGIN\"}", "userId")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"SIGNUP\"}", "eventType")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":\"x\"}", "payload")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"eventId\":\"123\"}", "eventId")]
    public async Task Invalid_input_is_answered_400_naming_the_field_and_nothing_is_published(string body, string field)
    {
        _api.AcknowledgeEverything();

        var response = await PostAsync(body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
        Assert.Empty(_api.Published);
    }

    [Fact]
    public async Task A_payload_over_the_payload_limit_is_answered_400_naming_payload_though_the_body_fits()
    {
        _api.AcknowledgeEverything();
        var payload = "{\"x\":\"" + new string('x', ApiWithMockedKafka.MaxPayloadBytes - 7) + "\"}";
        var body = "{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":" + payload + "}";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), ApiWithMockedKafka.MaxPayloadBytes + 1, ApiWithMockedKafka.MaxBodyBytes);

        var response = await PostAsync(body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("payload").EnumerateArray()).GetString();
        Assert.Contains(ApiWithMockedKafka.MaxPayloadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Empty(_api.Published);
    }

    [Fact]
    public async Task A_payload_of_exactly_the_limit_is_accepted()
    {
        _api.AcknowledgeEverything();
        var payload = "{\"x\":\"" + new string('x', ApiWithMockedKafka.MaxPayloadBytes - 8) + "\"}";
        Assert.Equal(ApiWithMockedKafka.MaxPayloadBytes, Encoding.UTF8.GetByteCount(payload));

        var response = await PostAsync("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":" + payload + "}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task An_unexpected_failure_is_answered_500_problem_details_that_reveal_nothing_of_the_exception(string environment)
    {
        const string Secret = "connection string Password=hunter2";
        _api.Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException(Secret));
        using var api = _api.WithWebHostBuilder(builder => builder.UseEnvironment(environment));

        var response = await api.CreateClient().PostAsync(
            "/events/generate",
            new StringContent("""{"userId":"u","eventType":"LOGIN"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.InternalServerError);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var leak in new[] { "hunter2", "Password", nameof(InvalidOperationException), "   at ", "KafkaEventPublisher", ".cs:line" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_kestrel_cuts_off_as_too_slow_keeps_its_408_and_says_why()
    {
        // Kestrel raises this from a body read that falls under its minimum data rate; any read can throw it.
        _api.Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Microsoft.AspNetCore.Http.BadHttpRequestException("Reading the request body timed out.", 408));

        var response = await PostAsync("""{"userId":"u","eventType":"LOGIN"}""");

        var problem = await ProblemAsync(response, HttpStatusCode.RequestTimeout);
        Assert.Contains("240 bytes/s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_answer_503_when_the_worker_cannot_be_reached()
    {
        var client = _api.CreateClient();

        var list = await client.GetAsync("/events/processed", TestContext.Current.CancellationToken);
        var one = await client.GetAsync($"/events/processed/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        await ProblemAsync(list, HttpStatusCode.ServiceUnavailable);
        await ProblemAsync(one, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(list.Headers.RetryAfter);
    }

    [Fact]
    public async Task After_repeated_failures_to_reach_the_worker_queries_are_refused_at_once_by_the_open_circuit()
    {
        var client = _api.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.GetAsync($"/events/processed/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        var refused = await client.GetAsync("/events/processed", TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Recent calls", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Asking_for_an_event_by_an_id_that_is_not_a_uuid_is_answered_400()
    {
        var response = await _api.CreateClient().GetAsync("/events/processed/not-a-uuid", TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_route_is_answered_with_problem_details()
    {
        var response = await _api.CreateClient().GetAsync("/nope", TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.NotFound);
    }
}
