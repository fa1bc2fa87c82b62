using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Producer.Api.Telemetry;
using Shared.Hosting;
using Shared.Hosting.Kafka;
using Shared.Hosting.Telemetry;

namespace Producer.Api.Kafka;

/// <summary>
/// The workers' consumer group's lag per partition, seen from outside the group: the end of each partition's log
/// minus the group's committed offset, asked of Kafka every few seconds. A worker reports the lag of the partitions
/// it owns, so when no worker runs nobody would; this one keeps growing then, which is the point of watching it.
/// </summary>
/// <remarks>
/// The committed offsets are read through a consumer handle of the group (Committed), never through the admin API
/// (ListConsumerGroupOffsets). In librdkafka up to 2.16.0 an admin request sent to the group coordinator that times
/// out while the coordinator is unreachable aborts the whole process the next time that broker comes back
/// (<c>rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0' failed</c>, librdkafka issue 4605,
/// fix proposed in pull request 5397). A consumer's Committed goes through its own group machinery instead, which
/// survives outages of any length (tests/IntegrationTests/LagThroughOutagesTests.cs).
/// </remarks>
internal sealed class ConsumerGroupLag(
    ITopicMetadata topic,
    IOptions<KafkaOptions> kafka,
    IOptions<TelemetryOptions> telemetry,
    IMeterFactory meters,
    ILoggerFactory loggers,
    ILogger<ConsumerGroupLag> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private FrozenDictionary<int, long> _lag = FrozenDictionary<int, long>.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!telemetry.Value.MetricsEnabled)
        {
            return;
        }

        // The Kafka calls below block; the host's start must not wait for them.
        await Task.Yield();
        var group = kafka.Value.ConsumerGroup;
        meters.Create(ApiTelemetry.Name).CreateObservableGauge(
            "useractivity.api.consumer_group.lag",
            () => _lag.Select(p => new Measurement<long>(
                p.Value,
                new KeyValuePair<string, object?>("messaging.consumer.group.name", group),
                new KeyValuePair<string, object?>("messaging.destination.partition.id", p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
            unit: "{message}",
            description: "Per partition, messages beyond the workers' consumer group's committed offset: grows while no worker consumes.");

        try
        {
            using var consumer = BuildConsumer(group);
            using var timer = new PeriodicTimer(Interval);
            do
            {
                try
                {
                    // One measurement at a time: the next waits for this one, however long an outage makes it.
                    _lag = await MeasureAsync(consumer, stoppingToken);
                }
                catch (KafkaException ex)
                {
                    // Kafka unreachable or slow: the last figures stay until it answers again.
                    logger.LogInformation("Consumer group lag not measured this time: {Reason}", ex.Error.Reason);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A metric is not worth the service: without it the API still takes and answers requests.
            logger.LogError(ex, "Consumer group lag reporting stopped");
        }
    }

    /// <summary>
    /// A consumer in the workers' group that only reads: it never subscribes, so it never joins the group or takes a
    /// partition from a worker, and it never commits.
    /// </summary>
    private IConsumer<Ignore, Ignore> BuildConsumer(string group) =>
        new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            ClientId = "producer-api-lag",
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        })
            .WithServiceTelemetry(loggers, static _ => { }, "lag-consumer")
            .Build();

    private async Task<FrozenDictionary<int, long>> MeasureAsync(IConsumer<Ignore, Ignore> consumer, CancellationToken cancellationToken)
    {
        if (await topic.PartitionCountAsync(cancellationToken) is not { } count)
        {
            return FrozenDictionary<int, long>.Empty;
        }

        var partitions = Enumerable.Range(0, count).Select(p => new TopicPartition(topic.Topic, p)).ToList();
        return await Task.Run(
            () =>
            {
                var committed = consumer.Committed(partitions, Timeout).ToDictionary(p => p.Partition.Value, p => p.Offset);
                return partitions.ToFrozenDictionary(
                    p => p.Partition.Value,
                    p =>
                    {
                        var end = consumer.QueryWatermarkOffsets(p, Timeout).High.Value;
                        // A group that has committed nothing yet has everything still to read.
                        var done = committed.TryGetValue(p.Partition.Value, out var offset) && !offset.IsSpecial ? offset.Value : 0;
                        return Math.Max(0, end - done);
                    });
            },
            cancellationToken);
    }
}
