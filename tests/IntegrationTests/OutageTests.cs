using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using DevBroker;
using TestSupport;

namespace IntegrationTests;

/// <summary>Each test takes a broker or the worker away, so each has a cluster of its own.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task While_the_worker_is_down_the_api_is_not_ready_and_queries_answer_503_until_it_is_back()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        await using var flow = await InProcessEventFlow.StartAsync(cluster.BootstrapServers, "events", "group");

        await flow.Worker.StopAsync();

        using (var ready = await flow.Api.Http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var list = await flow.Api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
            Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        }

        // Events are still accepted: Kafka keeps them for the worker.
        var accepted = await flow.Api.PostAsync("user-while-down", "LOGIN");
        await flow.Worker.StartAsync();
        await flow.Api.WaitUntilProcessedAsync([accepted.EventId]);
    }

    [Fact]
    public async Task While_kafka_is_down_a_post_gets_503_with_retry_after_within_the_publish_timeout_and_recovers_after()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        await using var flow = await InProcessEventFlow.StartAsync(
            cluster.BootstrapServers, "events", "group", new Dictionary<string, string> { ["PUBLISH_TIMEOUT_MS"] = "1500" });

        cluster.SetBrokerDown(1);
        var clock = Stopwatch.StartNew();
        using var refused = await flow.Api.PostRawAsync("""{"userId":"u","eventType":"LOGIN"}""");
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        // Bounded by the publish timeout (plus the pipeline's margin), not by librdkafka's 300 s default.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5 + 1 + 1), $"answered after {clock.Elapsed}");
        await Eventually.UntilAsync(async () => !await flow.Api.IsReadyAsync(), "the API to report not ready");

        cluster.SetBrokerUp(1);
        await Eventually.UntilAsync(flow.Api.IsReadyAsync, "the API to report ready again");
        await Eventually.UntilAsync(
            async () =>
            {
                // The circuit may stay open for a moment after Kafka is back: retrying is what clients do.
                using var response = await flow.Api.PostRawAsync("""{"userId":"u-after","eventType":"LOGOUT"}""");
                return response.StatusCode == HttpStatusCode.Created;
            },
            "a POST to be accepted after Kafka is back");
    }

    [Fact]
    public async Task When_kafka_is_down_at_start_the_api_starts_not_ready_refuses_posts_and_recovers_by_itself()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        cluster.CreateTopic("events.dlq", 1);
        cluster.SetBrokerDown(1);

        await using var flow = await InProcessEventFlow.StartAsync(
            cluster.BootstrapServers, "events", "group", new Dictionary<string, string> { ["PUBLISH_TIMEOUT_MS"] = "1500" }, waitUntilReady: false);

        Assert.False(await flow.Api.IsReadyAsync());
        using (var refused = await flow.Api.PostRawAsync("""{"userId":"u","eventType":"LOGIN"}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        cluster.SetBrokerUp(1);
        await Eventually.UntilAsync(flow.Api.IsReadyAsync, "the API to become ready once Kafka is up");
        Guid? accepted = null;
        await Eventually.UntilAsync(
            async () =>
            {
                using var response = await flow.Api.PostRawAsync("""{"userId":"u-late","eventType":"LOGIN"}""");
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    accepted = (await response.Content.ReadFromJsonAsync<Shared.Contracts.Events.UserActivityEvent>(
                        Shared.Contracts.Events.ContractsJsonContext.Default.UserActivityEvent))!.EventId;
                }

                return accepted is not null;
            },
            "a POST to be accepted once Kafka is up");
        await flow.Api.WaitUntilProcessedAsync([accepted!.Value]);
    }

    [Fact]
    public async Task The_worker_stays_up_through_a_broker_outage_and_resumes_consuming_after_it()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        cluster.CreateTopic("events.dlq", 1);
        await using var flow = await InProcessEventFlow.StartAsync(cluster.BootstrapServers, "events", "group");
        var before = await flow.Api.PostAsync("u-before", "LOGIN");
        await flow.Api.WaitUntilProcessedAsync([before.EventId]);

        cluster.SetBrokerDown(1);
        await Eventually.UntilAsync(async () => !await flow.Api.IsReadyAsync(), "the outage to be noticed");
        cluster.SetBrokerUp(1);
        await Eventually.UntilAsync(flow.Api.IsReadyAsync, "the API to be ready again");

        var after = await flow.Api.PostAsync("u-after", "LOGOUT");
        await flow.Api.WaitUntilProcessedAsync([after.EventId]);
        // Both events processed once each: the outage made the worker neither lose its place nor go back.
        Assert.Equal(2, (await flow.Api.ListAsync()).Count);
        Assert.Equal(2, flow.ProcessedSinceStart);
    }
}
