using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DevBroker;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// The consumer-group lag that the API reports is measured by asking Kafka every few seconds, outages or not. A call
/// that librdkafka cannot survive (an admin request to the group coordinator that times out while the coordinator is
/// down aborts the process when it comes back: librdkafka issue 4605) would end the whole API here; this test runs
/// the reporter through repeated outages of different lengths, under traffic, and checks that it still measures after
/// each. The broker is its own: nothing else may see it go down.
/// </summary>
/// <remarks>
/// Alone, as ConsumerGroupLagTests: the lag is read from /metrics, and in one test process every API's meters reach
/// every other API's /metrics, so a series of this test's API can be shadowed by another test's.
/// </remarks>
[Collection(nameof(LagThroughOutagesTests))]
public sealed partial class LagThroughOutagesTests
{
    /// <summary>Some longer than the worker's session timeout (6 s here) and the reporter's request timeout (5 s).</summary>
    private static readonly TimeSpan[] Outages = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(4)];

    [Fact]
    public async Task The_api_keeps_reporting_the_groups_lag_after_each_of_several_broker_outages_of_different_lengths()
    {
        // Names of its own: every API in this test process publishes its gauges to every other's /metrics.
        var topic = $"lag-outages-{Guid.NewGuid():N}";
        var group = $"group-{topic}";
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(topic, 3);
        cluster.CreateTopic(InProcessEventFlow.DeadLetterTopicOf(topic), 1);
        await using var flow = await InProcessEventFlow.StartAsync(
            cluster.BootstrapServers, topic, group, new Dictionary<string, string> { ["PUBLISH_TIMEOUT_MS"] = "1500" });
        // No worker consumes: every accepted event stays in the lag, so the lag counts the events accepted.
        await flow.Worker.StopAsync();
        var accepted = 0;
        var lastAnswer = string.Empty;
        using var stop = new CancellationTokenSource();
        var client = Task.Run(async () =>
        {
            // A lone client posting throughout, outages included.
            while (!stop.IsCancellationRequested)
            {
                using var response = await flow.Api.PostRawAsync("""{"userId":"u-lag","eventType":"LOGIN"}""");
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}";
                }

                // A client's pace, not a flood: the test is about the outages, not the broker's retention.
                await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        foreach (var outage in Outages)
        {
            cluster.SetBrokerDown(1);
            await Task.Delay(outage, TestContext.Current.CancellationToken);
            cluster.SetBrokerUp(1);
            var before = Volatile.Read(ref accepted);
            var lag = 0L;
            var measured = false;
            try
            {
                await Eventually.UntilAsync(
                    async () => Volatile.Read(ref accepted) > before && (lag = await TotalLagAsync(flow, group)) > before,
                    $"the lag to be measured again after an outage of {outage.TotalSeconds:0} s",
                    TimeSpan.FromSeconds(60));
                measured = true;
            }
            finally
            {
                if (!measured)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine(
                        $"accepted {before} before the outage, {Volatile.Read(ref accepted)} now; lag {lag}; last refusal: {lastAnswer}");
                }
            }
        }

        await stop.CancelAsync();
        await client;
        await Eventually.UntilAsync(
            async () => await TotalLagAsync(flow, group) == Volatile.Read(ref accepted),
            "the lag to count every accepted event",
            TimeSpan.FromSeconds(60));
    }

    private static async Task<long> TotalLagAsync(InProcessEventFlow flow, string group)
    {
        var text = await flow.Api.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return LagLine().Matches(text)
            .Where(m => m.Groups[1].Value.Contains($"messaging_consumer_group_name=\"{group}\"", StringComparison.Ordinal))
            .Sum(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^useractivity_api_consumer_group_lag(?:_messages)?\{([^}]*)\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex LagLine();
}
