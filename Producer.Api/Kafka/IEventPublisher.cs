namespace Producer.Api.Kafka;

/// <summary>Publishes one event and reports whether Kafka acknowledged it.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Completes when Kafka has acknowledged the event (acks=all) or has failed to within the publish timeout.
    /// Never throws for a Kafka failure: the outcome says what happened.
    /// </summary>
    Task<PublishResult> PublishAsync(Guid eventId, byte[] eventJson, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes many events at once, with one result per event in the same order: each acknowledged (acks=all) or
    /// not, within the publish timeout. Never throws for a Kafka failure.
    /// </summary>
    Task<PublishResult[]> PublishBatchAsync(IReadOnlyList<(Guid EventId, byte[] Json)> events, CancellationToken cancellationToken);
}
