using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Producer.Api.Kafka;

/// <summary>
/// The partitions' ends through a consumer that never joins a group (it never subscribes nor commits; librdkafka
/// wants a group id all the same, and this one is never used): it only asks the partition leaders for their high
/// watermarks (ListOffsets), as the workers' consumers do. Built on first use: only a
/// read whose consistency token the workers' first answer did not satisfy needs it.
/// </summary>
/// <remarks>
/// Never an admin request addressed to a group coordinator: librdkafka aborts the process when one of those times
/// out during an outage (see <see cref="ConsumerGroupLag"/>).
/// </remarks>
internal sealed class KafkaPartitionEnds(IOptions<KafkaOptions> kafka, ILoggerFactory loggers) : IPartitionEnds, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Lazy<IConsumer<Ignore, Ignore>> _consumer = new(() =>
        new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            ClientId = "producer-api-ends",
            GroupId = "producer-api-ends",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        })
            .WithServiceTelemetry(loggers, static _ => { }, "ends-consumer")
            .Build());

    public async Task<IReadOnlyDictionary<int, long>> EndsAsync(IEnumerable<int> partitions, CancellationToken cancellationToken)
    {
        var topic = kafka.Value.Topic;
        var asked = partitions.ToList();
        // QueryWatermarkOffsets blocks; keep it off the request's thread.
        return await Task.Run(
            () =>
            {
                var ends = new Dictionary<int, long>(asked.Count);
                foreach (var partition in asked)
                {
                    try
                    {
                        ends[partition] = _consumer.Value.QueryWatermarkOffsets(new TopicPartition(topic, partition), Timeout).High.Value;
                    }
                    catch (KafkaException)
                    {
                        // No leader answered in time: this partition's end stays unknown, and the token is not refused for it.
                    }
                }

                return (IReadOnlyDictionary<int, long>)ends;
            },
            cancellationToken);
    }

    public void Dispose()
    {
        if (_consumer.IsValueCreated)
        {
            _consumer.Value.Dispose();
        }
    }
}
