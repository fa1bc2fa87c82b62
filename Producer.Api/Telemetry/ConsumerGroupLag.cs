using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using Shared.Hosting;
using Shared.Hosting.Telemetry;

namespace Producer.Api.Telemetry;

/// <summary>
/// The workers' consumer group's lag per partition, seen from outside the group: the end of each partition's log
/// minus the group's committed offset, asked of Kafka every few seconds. A worker reports the lag of the partitions
/// it owns, so when no worker runs nobody would; this one keeps growing then, which is the point of watching it.
/// </summary>
internal sealed class ConsumerGroupLag(
    IProducer<string, byte[]> producer,
    IOptions<KafkaOptions> kafka,
    IOptions<ProducerApiOptions> api,
    IOptions<TelemetryOptions> telemetry,
    IMeterFactory meters,
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

        // The admin calls below block; the host's start must not wait for them.
        await Task.Yield();
        var group = api.Value.ConsumerGroup;
        var topic = kafka.Value.Topic;
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
            using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
            using var timer = new PeriodicTimer(Interval);
            do
            {
                try
                {
                    _lag = await MeasureAsync(admin, topic, group);
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

    private static async Task<FrozenDictionary<int, long>> MeasureAsync(IAdminClient admin, string topic, string group)
    {
        var partitions = admin.GetMetadata(topic, Timeout).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList() ?? [];
        if (partitions.Count == 0)
        {
            return FrozenDictionary<int, long>.Empty;
        }

        var ends = await admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        var committed = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        var committedBy = committed.SelectMany(g => g.Partitions).ToDictionary(p => p.Partition.Value, p => p.Offset);
        return ends.ResultInfos.ToFrozenDictionary(
            end => end.TopicPartitionOffsetError.Partition.Value,
            end =>
            {
                var last = end.TopicPartitionOffsetError.Offset.Value;
                // A group that has committed nothing yet has everything still to read.
                var done = committedBy.TryGetValue(end.TopicPartitionOffsetError.Partition.Value, out var offset) && !offset.IsSpecial ? offset.Value : 0;
                return Math.Max(0, last - done);
            });
    }
}
