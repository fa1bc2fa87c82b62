using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;
using Shared.Contracts.Events;
using Shared.Hosting;

namespace Producer.Api.Publishing;

internal sealed class KafkaEventPublisher(
    IProducer<string, byte[]> producer,
    IOptions<KafkaOptions> kafka,
    ResiliencePipelineProvider<string> pipelines,
    ILogger<KafkaEventPublisher> logger) : IEventPublisher
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes(EventHeaders.JsonContentType);
    private static readonly byte[] SchemaVersion = Encoding.UTF8.GetBytes(EventHeaders.CurrentSchemaVersion);

    private readonly string _topic = kafka.Value.Topic;
    private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(PublishPipeline.Name);

    public async Task<PublishResult> PublishAsync(Guid eventId, byte[] eventJson, CancellationToken cancellationToken)
    {
        // The key is the eventId: every copy of one event lands on the same partition, so the worker that owns
        // the partition sees all of them and can keep exactly one.
        var message = new Message<string, byte[]>
        {
            Key = eventId.ToString(),
            Value = eventJson,
            Headers = new Headers
            {
                { EventHeaders.ContentType, ContentType },
                { EventHeaders.SchemaVersion, SchemaVersion },
            },
        };

        try
        {
            var delivery = await _pipeline.ExecuteAsync(
                static async (state, token) => await state.producer.ProduceAsync(state.topic, state.message, token),
                (producer, topic: _topic, message),
                cancellationToken);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(
                    "Published event {EventId} to {Topic} [{Partition}] @{Offset}",
                    eventId, delivery.Topic, delivery.Partition.Value, delivery.Offset.Value);
            }

            return PublishResult.Acknowledged;
        }
        catch (BrokenCircuitException)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("Refused event {EventId}: Kafka publishing is failing and the circuit is open", eventId);
            }

            return new PublishResult(PublishStatus.Rejected, "Kafka is failing; publishing is paused for a few seconds.");
        }
        catch (TimeoutRejectedException)
        {
            logger.LogWarning("No acknowledgement for event {EventId} within the publish timeout", eventId);
            return new PublishResult(PublishStatus.TimedOut, "Kafka did not acknowledge the event in time.");
        }
        catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_MsgTimedOut)
        {
            logger.LogWarning("No acknowledgement for event {EventId} within the publish timeout: {Reason}", eventId, ex.Error.Reason);
            return new PublishResult(PublishStatus.TimedOut, "Kafka did not acknowledge the event in time.");
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Publishing event {EventId} failed: {ErrorCode} {Reason}", eventId, ex.Error.Code, ex.Error.Reason);
            return new PublishResult(PublishStatus.Failed, "Kafka refused the event.");
        }
    }
}
