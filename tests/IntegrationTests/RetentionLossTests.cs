using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// The mock broker keeps at most 5 MiB per partition. A worker that is stopped while more than that is written finds
/// its committed offset below the log start when it comes back, and librdkafka (auto.offset.reset=earliest) jumps to
/// the new log start without an error. Guards that this loss is never silent: it is counted exactly.
/// </summary>
public sealed partial class RetentionLossTests(MockClusterFixture kafka)
{
    /// <summary>About 1 KB each, uncompressed: some 7 MiB in all, well past the 5 MiB a partition keeps.</summary>
    private const int FloodEvents = 7_000;

    private static readonly string Padding = new('x', 880);

    [Fact]
    public async Task Events_that_retention_deleted_before_a_stopped_worker_read_them_are_counted_as_lost_exactly_and_later_events_are_processed()
    {
        var name = $"retention-{Guid.NewGuid():N}";
        await using var flow = await kafka.StartFlowAsync(name, partitions: 1);
        var before = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            before.Add((await flow.Api.PostAsync($"user-{i}", "LOGIN")).EventId);
        }

        await flow.Api.WaitUntilProcessedAsync(before);
        await flow.Worker.StopAsync();
        var committed = KafkaTestClient.CommittedOffset(flow.BootstrapServers, $"group-{name}", flow.Topic, 0);
        Assert.Equal(before.Count, committed.Value);

        await KafkaTestClient.ProduceManyAsync(flow.BootstrapServers, flow.Topic, Enumerable.Range(0, FloodEvents).Select(Event));
        var watermarks = KafkaTestClient.Watermarks(flow.BootstrapServers, flow.Topic, 0);
        Assert.True(
            watermarks.Low.Value > committed.Value,
            $"the log start {watermarks.Low.Value} should have passed the committed offset {committed.Value}");
        var expectedLost = watermarks.Low.Value - committed.Value;

        await flow.Worker.StartAsync();

        // What is still in the log is processed, and what retention deleted is counted, on /metrics as operators see it.
        var stored = flow.WorkerServices.GetRequiredService<WorkerMetrics>();
        await Eventually.UntilAsync(
            () => Task.FromResult(stored.Total(HandleOutcome.Stored) == watermarks.High.Value - watermarks.Low.Value),
            "the worker to process every event still in the log");
        Assert.Equal(expectedLost, flow.WorkerServices.GetRequiredService<ConsumerMetrics>().LostToRetention(0));
        Assert.Equal(expectedLost, await ExportedLostToRetentionAsync(flow));

        // And it carries on with what comes next.
        var after = await flow.Api.PostAsync("user-after", "LOGOUT");
        await flow.Api.WaitUntilProcessedAsync([after.EventId]);
        Assert.Equal(expectedLost, flow.WorkerServices.GetRequiredService<ConsumerMetrics>().LostToRetention(0));
    }

    private static (string Key, byte[] Value) Event(int index)
    {
        var id = Guid.NewGuid();
        var json = string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"eventId":"{{{id}}}","userId":"flood-{{{index}}}","eventType":"PRODUCT_VIEW","timestamp":"2026-01-31T12:00:00Z","payload":{"padding":"{{{Padding}}}"}}""");
        return (id.ToString(), Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The counter as the worker's /metrics exports it (on its health port, where the endpoint lives).</summary>
    private static async Task<long> ExportedLostToRetentionAsync(InProcessEventFlow flow)
    {
        var port = flow.WorkerServices.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort;
        using var http = ((TestServer)flow.WorkerServices.GetRequiredService<IServer>()).CreateClient();
        long? value = null;
        await Eventually.UntilAsync(
            async () =>
            {
                var text = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"));
                // Every in-process worker's meter is visible on every /metrics of this test process (a MeterProvider
                // listens to meters by name): the line is the one of this test's topic.
                var match = LostToRetentionLine().Matches(text).FirstOrDefault(m => m.Groups["topic"].Value == flow.Topic);
                value = match is not null ? long.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : null;
                return value > 0;
            },
            "useractivity_worker_events_lost_to_retention_total on the worker's /metrics");
        return value!.Value;
    }

    [GeneratedRegex(@"^useractivity_worker_events_lost_to_retention_total\{(?=[^}]*messaging_destination_name=""(?<topic>[^""]*)"")[^}]*messaging_destination_partition_id=""0""[^}]*\} (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex LostToRetentionLine();
}
