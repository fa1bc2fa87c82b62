namespace Consumer.Worker.Consuming;

/// <summary>Headers that say where a dead-lettered message came from and why it could not be processed.</summary>
public static class DeadLetterHeaders
{
    public const string OriginalTopic = "dlq-original-topic";
    public const string OriginalPartition = "dlq-original-partition";
    public const string OriginalOffset = "dlq-original-offset";
    public const string Reason = "dlq-reason";
    public const string FailedAt = "dlq-failed-at";
}
