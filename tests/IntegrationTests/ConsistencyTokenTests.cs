using System.Net;
using System.Text.Json;
using Consumer.Worker.Consuming;
using Consumer.Worker.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// Read your writes through the API: a read with the token of a POST reflects it, the first time, without polling; a
/// token no wait can satisfy is refused 400 at once; one the workers do not reach in time is 503 naming the lag.
/// </summary>
public sealed class ConsistencyTokenTests(MockClusterFixture kafka)
{
    /// <summary>LEADER_NOT_AVAILABLE for the dead-letter topic alone: its producer finds no leader to write to.</summary>
    private const int LeaderNotAvailable = 5;

    [Fact]
    public async Task Each_event_is_found_by_the_first_read_with_its_token_and_every_answer_says_what_it_reflects()
    {
        await using var flow = await kafka.StartFlowAsync($"token-{Guid.NewGuid():N}", partitions: 3, workers: 2);
        var written = new List<Written>();
        for (var i = 0; i < 40; i++)
        {
            var write = await flow.Api.WriteAsync($"user-{i}", "LOGIN");
            written.Add(write);
            using var read = await flow.Api.GetAsync($"/events/processed/{write.Event.EventId}", write.Token);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"event {i}: the first read with its token answered {(int)read.StatusCode}: {await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            // The answer's token names the event's own position: reading again with it is never older. (The 201's
            // token covers the session's earlier writes too: the client sends its token with every POST.)
            Assert.Equal(
                ConsistencyToken.For(flow.Topic, [new(write.Partition, write.Offset)]).ToString(),
                Assert.Single(read.Headers.GetValues(ConsistencyToken.HeaderName)));
        }

        // The session's token covers every write: the whole list and a page reflect them all, the first time.
        var listed = await flow.Api.ListAfterWritesAsync();
        Assert.Equal(written.Select(w => w.Event.EventId).Order(), listed.Select(e => e.EventId).Order());
        using var page = await flow.Api.GetAsync($"/events/processed?limit=1000&consistencyToken={flow.Api.Token}", token: null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(ConsistencyToken.TryParse(Assert.Single(page.Headers.GetValues(ConsistencyToken.HeaderName)), flow.Topic, out var reflected, out _));
        var session = ConsistencyToken.For(flow.Topic, written.Select(w => new KeyValuePair<int, long>(w.Partition, w.Offset)));
        Assert.True(reflected.Covers(session), $"the page reflects {reflected.Positions.Count} positions, not every write");
        Assert.Equal(written.Count, JsonDocument.Parse(await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetArrayLength());
    }

    public static TheoryData<string> Unsatisfiable() => new() { "malformed", "another topic", "a partition the topic lacks", "an offset past the end" };

    [Theory]
    [MemberData(nameof(Unsatisfiable))]
    public async Task A_token_no_wait_can_satisfy_is_refused_400_at_once_by_every_query(string kind)
    {
        await using var flow = await kafka.StartFlowAsync($"token-{Guid.NewGuid():N}", partitions: 3);
        var write = await flow.Api.WriteAsync("user-1", "LOGIN");
        var token = kind switch
        {
            "malformed" => write.Token[..^2] + "!!",
            "another topic" => ConsistencyToken.For("another-topic", [new(write.Partition, write.Offset)]).ToString(),
            "a partition the topic lacks" => ConsistencyToken.For(flow.Topic, [new(3, 0)]).ToString(),
            _ => ConsistencyToken.For(flow.Topic, [new(write.Partition, write.Offset + 1_000)]).ToString(),
        };

        // An event of the token's partition that was never written: a held event is answered whatever the token, but
        // "not processed" needs the partition stored up to the token's offset.
        var never = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).First(id => EventPartitioner.PartitionOf(id, 3) == write.Partition);
        foreach (var url in new[] { "/events/processed", "/events/processed?limit=10", $"/events/processed/{never}" })
        {
            using var response = await flow.Api.GetAsync(url, token);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} with {kind} answered {(int)response.StatusCode}: {text}");
            Assert.Contains(ConsistencyToken.HeaderName, text, StringComparison.Ordinal);
        }

        // At once: no read was held by the worker waiting for the token.
        var waits = flow.WorkerServicesOf(0).GetRequiredService<ReadWaitMetrics>();
        Assert.Equal(0, waits.Total(WaitOutcome.Reached) + waits.Total(WaitOutcome.TimedOut) + waits.Total(WaitOutcome.Released));
    }

    [Fact]
    public async Task A_read_whose_token_the_worker_does_not_reach_in_time_is_503_naming_the_partition_and_how_far_behind_it_is()
    {
        await using var flow = await kafka.StartFlowAsync(
            $"token-{Guid.NewGuid():N}", partitions: 3, settings: new Dictionary<string, string> { ["CONSISTENCY_WAIT_MS"] = "500" });
        // A malformed message the worker cannot dead-letter (the dead-letter topic has no leader) holds its partition;
        // an event written behind it cannot be stored until it can.
        kafka.Cluster.SetTopicError(flow.DeadLetterTopic, LeaderNotAvailable);
        var behindId = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).First(id => EventPartitioner.PartitionOf(id, 3) == 0);
        var stuck = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).First(id => EventPartitioner.PartitionOf(id, 3) == 0);
        await KafkaTestClient.ProduceRawAsync(flow.BootstrapServers, flow.Topic, stuck.ToString(), "{not json"u8.ToArray());
        var behind = await flow.Api.WriteAsync("user-behind", "LOGIN", eventId: behindId);

        using var refused = await flow.Api.GetAsync($"/events/processed/{behind.Event.EventId}", behind.Token);
        using var refusedList = await flow.Api.GetAsync("/events/processed", behind.Token);

        foreach (var response in new[] { refused, refusedList })
        {
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"answered {(int)response.StatusCode}: {text}");
            Assert.NotNull(response.Headers.RetryAfter);
            var lag = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("lagging").EnumerateArray());
            Assert.Equal(0, lag.GetProperty("partition").GetInt32());
            Assert.Equal(behind.Offset, lag.GetProperty("offset").GetInt64());
            Assert.True(lag.GetProperty("behind").GetInt64() >= 1, text);
        }

        // Once the message can be dead-lettered the partition moves on, and the same token is answered.
        kafka.Cluster.SetTopicError(flow.DeadLetterTopic, 0);
        await Eventually.UntilAsync(
            async () =>
            {
                using var response = await flow.Api.GetAsync($"/events/processed/{behind.Event.EventId}", behind.Token);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {(int)response.StatusCode}");
                return response.StatusCode == HttpStatusCode.OK;
            },
            "the read with the token to be answered once the partition moves on",
            TimeSpan.FromSeconds(60));
    }
}
