namespace Producer.Api.Kafka;

public readonly record struct PublishResult(PublishStatus Status, string? Reason = null)
{
    public static PublishResult Acknowledged { get; } = new(PublishStatus.Acknowledged);

    public bool IsAcknowledged => Status == PublishStatus.Acknowledged;
}
