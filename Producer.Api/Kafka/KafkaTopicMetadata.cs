using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Shared.Hosting;

namespace Producer.Api.Kafka;

/// <summary>
/// The topic as Kafka describes it, asked through the producer's own connections (a dependent admin client), so
/// that a check tests the path publishing takes. The partition count is remembered: queries need it to tell whether
/// the workers' answers cover the topic, and it rarely changes.
/// </summary>
/// <remarks>
/// Only metadata requests, which any broker answers. Never an admin request addressed to a group coordinator: librdkafka
/// aborts the process when one of those times out during an outage (see ConsumerGroupLag).
/// </remarks>
internal sealed class KafkaTopicMetadata(IProducer<string, byte[]> producer, IOptions<KafkaOptions> kafka, TimeProvider time, AllBrokersDown outage)
    : ITopicMetadata, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CountMaxAge = TimeSpan.FromSeconds(30);
    private readonly Lazy<IAdminClient> _admin = new(() => new DependentAdminClientBuilder(producer.Handle).Build());
    private int _partitionCount;
    private long _countedAt;

    public string Topic => kafka.Value.Topic;

    public async Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken)
    {
        // GetMetadata blocks; keep it off the request's thread.
        var asked = outage.Outage;
        var metadata = await Task.Run(() => _admin.Value.GetMetadata(Topic, Timeout), cancellationToken);
        // A broker answered through the producer's connections: if every broker was down, one is back, and POST may
        // try Kafka again. Closed before this returns, so a check that reports ready never leaves POST refusing.
        await outage.BrokerAnsweredAsync(asked, cancellationToken);
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == Topic);
        if (topic is { Error.IsError: false, Partitions.Count: > 0 })
        {
            Volatile.Write(ref _partitionCount, topic.Partitions.Count);
            Volatile.Write(ref _countedAt, time.GetTimestamp());
        }

        return topic;
    }

    /// <summary>At most 30 s old when Kafka answers.</summary>
    public async Task<int?> PartitionCountAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref _partitionCount);
        if (known > 0 && time.GetElapsedTime(Volatile.Read(ref _countedAt)) < CountMaxAge)
        {
            return known;
        }

        try
        {
            await FetchAsync(cancellationToken);
        }
        catch (KafkaException)
        {
            // Kafka is unreachable: the last count known is still the best answer.
        }

        known = Volatile.Read(ref _partitionCount);
        return known > 0 ? known : null;
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
