using Confluent.Kafka;

namespace TestSupport;

/// <summary>Talks to the broker directly, around the API: to write what the API never would.</summary>
public static class KafkaTestClient
{
    public static async Task ProduceRawAsync(string bootstrapServers, string topic, string? key, byte[] value)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            // The API's partitioner: a key lands on the partition where the API would put it.
            Partitioner = Partitioner.Murmur2Random,
            MessageTimeoutMs = 10_000,
        }).Build();
        await producer.ProduceAsync(topic, new Message<string?, byte[]> { Key = key, Value = value });
    }

    /// <summary>
    /// Writes many messages with one producer and waits until all are acknowledged. Uncompressed, so that each takes
    /// its full size in the broker's log (to fill a partition past the mock broker's 5 MiB with few messages).
    /// </summary>
    public static async Task ProduceManyAsync(string bootstrapServers, string topic, IEnumerable<(string Key, byte[] Value)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            Partitioner = Partitioner.Murmur2Random,
            CompressionType = CompressionType.None,
            MessageTimeoutMs = 30_000,
        }).Build();
        var delivered = new List<Task<DeliveryResult<string?, byte[]>>>();
        foreach (var (key, value) in messages)
        {
            delivered.Add(producer.ProduceAsync(topic, new Message<string?, byte[]> { Key = key, Value = value }));
        }

        await Task.WhenAll(delivered);
    }

    /// <summary>The offset a consumer group has committed on a partition (Offset.Unset: none), asked without joining the group.</summary>
    public static Offset CommittedOffset(string bootstrapServers, string group, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group }).Build();
        return consumer.Committed([new TopicPartition(topic, partition)], TimeSpan.FromSeconds(10)).Single().Offset;
    }

    /// <summary>A partition's log start (low watermark) and end (high watermark), as the broker reports them now.</summary>
    public static WatermarkOffsets Watermarks(string bootstrapServers, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-watermarks-{Guid.NewGuid():N}",
        }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10));
    }

    /// <summary>Reads a topic from its start until <paramref name="count"/> messages arrived or the time is up.</summary>
    public static List<ConsumeResult<string?, byte[]?>> ConsumeFromStart(string bootstrapServers, string topic, int count, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-reader-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var read = new List<ConsumeResult<string?, byte[]?>>();
        var deadline = DateTime.UtcNow + timeout;
        while (read.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null } result)
            {
                read.Add(result);
            }
        }

        consumer.Close();
        return read;
    }

    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }
}
