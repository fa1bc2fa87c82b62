using System.Net;
using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using DevBroker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// A broker outage longer than the session timeout: librdkafka reports the worker's partitions lost. A processed event
/// must stay processed (never a 404), a list must not pretend to be complete, readiness must say the worker serves
/// nothing, and when the partitions come back the worker carries on from what it kept, processing nothing twice.
/// The broker takes its own cluster: it goes down.
/// </summary>
public sealed class LostPartitionsTests
{
    private const int SessionTimeoutMs = 3000;

    private enum Outage
    {
        /// <summary>Until the API notices: the group session may or may not survive it.</summary>
        Short,

        /// <summary>Until librdkafka reports the partitions lost, then up at once.</summary>
        UntilLost,

        /// <summary>Lost, then down for two more session timeouts while the worker keeps trying to rejoin.</summary>
        LongAfterLost,
    }

    [Fact]
    public async Task Through_outages_of_different_lengths_processed_events_stay_found_lists_refuse_readiness_tells_and_the_worker_resumes_without_reprocessing()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        cluster.CreateTopic("events.dlq", 1);
        await using var flow = await InProcessEventFlow.StartAsync(cluster.BootstrapServers, "events", "group", new Dictionary<string, string>
        {
            ["KAFKA_SESSION_TIMEOUT_MS"] = SessionTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var serving = flow.WorkerServices.GetRequiredService<ServingState>();
        var counts = flow.WorkerServices.GetRequiredService<WorkerMetrics>();
        var accepted = new List<Guid>();

        foreach (var outage in new[] { Outage.UntilLost, Outage.Short, Outage.LongAfterLost })
        {
            accepted.AddRange(await PostAsync(flow, 20, outage.ToString()));
            await flow.Api.WaitUntilProcessedAsync(accepted);
            var neverPosted = Guid.NewGuid();

            cluster.SetBrokerDown(1);
            // Kafka is down, the worker still owns and serves its partitions: its answers are true.
            await AssertFoundAsync(flow, accepted);
            if (outage == Outage.Short)
            {
                await Eventually.UntilAsync(async () => !await flow.Api.IsReadyAsync(), "the API to notice the outage");
            }
            else
            {
                await Eventually.UntilAsync(
                    () => Task.FromResult(serving.Current.Kept.Count == 3),
                    "the worker to report its partitions lost",
                    TimeSpan.FromSeconds(60));
                await AssertWhileLostAsync(flow, accepted, neverPosted);
                if (outage == Outage.LongAfterLost)
                {
                    // The fault's own length, not a wait for a signal: the worker keeps trying to rejoin meanwhile.
                    await Task.Delay(2 * SessionTimeoutMs, TestContext.Current.CancellationToken);
                    await AssertWhileLostAsync(flow, accepted, neverPosted);
                }
            }

            cluster.SetBrokerUp(1);
            await flow.WaitUntilReadyAsync();
            Assert.Empty(serving.Current.Kept);
        }

        accepted.AddRange(await PostAsync(flow, 20, "after"));
        await flow.Api.WaitUntilProcessedAsync(accepted);

        // Processed once, by the worker's own counts: each event stored once, none met twice, and nothing read back
        // into the store, which a rebuild after each loss would have done.
        Assert.Equal(accepted.Count, counts.Total(HandleOutcome.Stored));
        Assert.Equal(0, counts.Total(HandleOutcome.Duplicate));
        Assert.Equal(0, counts.Total(HandleOutcome.Rebuilt));
        Assert.Equal(accepted.Order(), (await flow.Api.ListAsync()).Select(e => e.EventId).Order());
        // What was processed is committed too, including what was processed just before a loss.
        await Eventually.UntilAsync(
            () => Task.FromResult(Enumerable.Range(0, 3).All(p =>
                KafkaTestClient.CommittedOffset(cluster.BootstrapServers, "group", "events", p).Value
                == KafkaTestClient.Watermarks(cluster.BootstrapServers, "events", p).High.Value)),
            "every partition to be committed up to its end");
    }

    private static async Task<List<Guid>> PostAsync(InProcessEventFlow flow, int count, string round)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await flow.Api.PostAsync($"user-{round}-{i}", "LOGIN")).EventId);
        }

        return ids;
    }

    private static async Task AssertFoundAsync(InProcessEventFlow flow, IEnumerable<Guid> processed)
    {
        foreach (var id in processed)
        {
            using var response = await flow.Api.Http.GetAsync(new Uri($"/events/processed/{id}", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /events/processed/{id} of a processed event answered {(int)response.StatusCode}");
        }
    }

    /// <summary>
    /// Lost: a processed event is still found (it was processed, and the worker kept it); an event never posted is not
    /// said to be unprocessed (no worker serves its partition, so 503); a list is refused; the worker is not ready.
    /// </summary>
    private static async Task AssertWhileLostAsync(InProcessEventFlow flow, List<Guid> processed, Guid neverPosted)
    {
        await AssertFoundAsync(flow, processed);
        using (var unknown = await flow.Api.Http.GetAsync(new Uri($"/events/processed/{neverPosted}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
            Assert.NotNull(unknown.Headers.RetryAfter);
        }

        using (var list = await flow.Api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await WorkerReadinessAsync(flow));
    }

    private static async Task<HttpStatusCode> WorkerReadinessAsync(InProcessEventFlow flow)
    {
        var port = flow.WorkerServices.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort;
        using var http = ((TestServer)flow.WorkerServices.GetRequiredService<IServer>()).CreateClient();
        using var response = await http.GetAsync(new Uri($"http://localhost:{port}/health/ready"));
        return response.StatusCode;
    }
}
