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

    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }
}
