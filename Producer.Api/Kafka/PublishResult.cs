namespace Producer.Api.Kafka;

/// <summary>What became of one publish; once acknowledged, where Kafka put the event (its partition and offset).</summary>
public readonly record struct PublishResult(PublishStatus Status, string? Reason = null, int Partition = -1, long Offset = -1)
{
    public bool IsAcknowledged => Status == PublishStatus.Acknowledged;

    /// <summary>Acknowledged by every in-sync replica at this position: what a consistency token names.</summary>
    public static PublishResult AcknowledgedAt(int partition, long offset) => new(PublishStatus.Acknowledged, null, partition, offset);
}
