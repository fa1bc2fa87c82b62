using Confluent.Kafka;

namespace Consumer.Worker.Consuming;

/// <summary>Writes a message that cannot be processed to the dead-letter topic.</summary>
public interface IDeadLetterPublisher
{
    /// <summary>
    /// Returns once Kafka has acknowledged the dead letter; until then it keeps trying, because the message's
    /// offset may only move on after that. Throws OperationCanceledException when the worker stops first.
    /// </summary>
    void Publish(ConsumeResult<string?, byte[]?> failed, string reason, CancellationToken cancellationToken);
}
