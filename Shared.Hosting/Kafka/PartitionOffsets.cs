namespace Shared.Hosting.Kafka;

/// <summary>One partition as a client's statistics describe it; an offset is negative while librdkafka does not know it.</summary>
public readonly record struct PartitionOffsets(string Topic, int Partition, long HighWatermark, long LogStart, long Committed, long Stored);
