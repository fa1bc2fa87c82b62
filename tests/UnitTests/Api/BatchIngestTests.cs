using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace UnitTests.Api;

public sealed class BatchIngestTests : IDisposable
{
    private readonly ApiWithMockedKafka _api = new();

    public void Dispose() => _api.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body)
    {
        using var response = await _api.CreateClient().PostAsync(
            "/events/generate/batch",
            new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task Each_entry_gets_its_own_result_in_order_and_only_valid_ones_are_published()
    {
        _api.AcknowledgeEverything();

        var (status, body) = await PostAsync("""
            [{"userId":"u1","eventType":"LOGIN"},
             {"userId":"u2","eventType":"NOPE"},
             {"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u3","eventType":"LOGOUT","payload":{"k":1}},
             42]
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(2, body.GetProperty("rejected").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal([201, 400, 201, 400], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.True(results[1].GetProperty("errors").TryGetProperty("eventType", out _));
        Assert.Equal("3f2504e0-4f89-41d3-9a0c-0305e82c3301", results[2].GetProperty("eventId").GetString());
        Assert.Equal(2, _api.Published.Count);
        Assert.Contains(_api.Published, m => m.Key == "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    }

    [Fact]
    public async Task Accepted_entries_give_their_partition_and_offset_and_the_answer_one_token_that_covers_them_all()
    {
        _api.AcknowledgeEverything();
        var entries = string.Join(",", Enumerable.Range(0, 12).Select(i => $$"""{"userId":"u{{i}}","eventType":"LOGIN"}"""));

        var response = await _api.CreateClient().PostAsync(
            "/events/generate/batch",
            new StringContent($"[{entries},42]", System.Text.Encoding.UTF8, new System.Net.Http.Headers.MediaTypeHeaderValue("application/json")),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var accepted = body.RootElement.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("status").GetInt32() == 201)
            .Select(r => new KeyValuePair<int, long>(r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt64()))
            .ToList();
        Assert.Equal(12, accepted.Count);
        Assert.True(Shared.Contracts.Consistency.ConsistencyToken.TryParse(
            Assert.Single(response.Headers.GetValues(Shared.Contracts.Consistency.ConsistencyToken.HeaderName)), "user-activity-events", out var token, out _));
        // Per partition, the highest offset of the batch: a read with it reflects every accepted entry.
        Assert.Equal(Shared.Contracts.Consistency.ConsistencyToken.For("user-activity-events", accepted), token);
        Assert.True(token.Positions.Count > 1, "twelve events should land on more than one of three partitions");
    }

    [Fact]
    public async Task An_entry_kafka_did_not_take_is_503_with_its_eventId_to_retry_with()
    {
        _api.FailEverything(ErrorCode.Local_MsgTimedOut);

        var (status, body) = await PostAsync("""[{"userId":"u1","eventType":"LOGIN"}]""");

        Assert.Equal(HttpStatusCode.OK, status);
        var result = Assert.Single(body.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal(503, result.GetProperty("status").GetInt32());
        Assert.True(Guid.TryParse(result.GetProperty("eventId").GetString(), out _));
    }

    [Theory]
    [InlineData("""[{"userId":"u2","eventType":"NOPE"}]""")]
    [InlineData("""[42]""")]
    [InlineData("""[null,{},[],"x",{"userId":" ","eventType":"LOGIN"},{"userId":"u","eventType":"LOGIN","payload":[1]}]""")]
    public async Task A_batch_without_a_valid_event_answers_each_entrys_400_and_publishes_nothing(string batch)
    {
        _api.AcknowledgeEverything();

        var (status, body) = await PostAsync(batch);

        Assert.Equal(HttpStatusCode.OK, status);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.Equal(results.Count, body.GetProperty("rejected").GetInt32());
        Assert.Equal(Enumerable.Range(0, results.Count), results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.All(results, r => Assert.Equal(400, r.GetProperty("status").GetInt32()));
        Assert.All(results, r => Assert.True(r.GetProperty("errors").EnumerateObject().Any()));
        Assert.Empty(_api.Published);
    }

    [Theory]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\"}")]
    [InlineData("[]")]
    [InlineData("[{\"userId\":\"u\"")]
    [InlineData("[] []")]
    public async Task A_body_that_is_not_a_non_empty_array_is_answered_400(string body)
    {
        var (status, problem) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
        Assert.Empty(_api.Published);
    }

    [Fact]
    public async Task A_batch_over_the_event_limit_is_refused_whole()
    {
        _api.AcknowledgeEverything();
        var events = string.Join(",", Enumerable.Repeat("""{"userId":"u","eventType":"LOGIN"}""", 501));

        var (status, _) = await PostAsync($"[{events}]");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Empty(_api.Published);
    }
}
