using Confluent.Kafka;

namespace Producer.Api.Kafka;

/// <summary>The events' topic as Kafka describes it.</summary>
internal interface ITopicMetadata
{
    string Topic { get; }

    /// <summary>Asks Kafka now. Throws KafkaException when no broker answers in time.</summary>
    Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken);

    /// <summary>The topic's partition count, recent when Kafka answers, the last one known when it does not; null if never known.</summary>
    Task<int?> PartitionCountAsync(CancellationToken cancellationToken);
}
