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
