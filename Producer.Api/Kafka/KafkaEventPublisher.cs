using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Producer.Api.Options;
using Producer.Api.Telemetry;
using Shared.Contracts.Events;
using Shared.Hosting;
using Shared.Hosting.Telemetry;

namespace Producer.Api.Kafka;

internal sealed class KafkaEventPublisher(
    IProducer<string, byte[]> producer,
    IOptions<KafkaOptions> kafka,
    IOptions<ProducerApiOptions> api,
    ResiliencePipelineProvider<string> pipelines,
    PublishMetrics metrics,
    ILogger<KafkaEventPublisher> logger) : IEventPublisher
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes(EventHeaders.JsonContentType);
    private static readonly byte[] SchemaVersion = Encoding.UTF8.GetBytes(EventHeaders.CurrentSchemaVersion);

    private readonly string _topic = kafka.Value.Topic;
    private readonly string _spanName = $"send {kafka.Value.Topic}";
    private readonly KeyValuePair<string, object?>[] _sendTags = MessagingTags.Operation("send", kafka.Value.Topic);
    private readonly ResiliencePipeline<DeliveryResult<string, byte[]>?> _pipeline = pipelines.GetPipeline<DeliveryResult<string, byte[]>?>(PublishPipeline.Name);

    /// <summary>
    /// How long a batch waits for its delivery reports: librdkafka reports every queued message by message.timeout.ms
    /// (PUBLISH_TIMEOUT_MS), so this second longer only ends a batch whose reports never came, with those entries timed
    /// out. A single event has no second bound: a timer per request for a report that librdkafka always gives cost the
    /// API 9 us and 450 bytes a request (bench/ablation); its wait also ends when its client gives up.
    /// </summary>
    private readonly TimeSpan _batchWait = api.Value.PublishTimeout + TimeSpan.FromSeconds(1);

    public async Task<PublishResult> PublishAsync(Guid eventId, byte[] eventJson, CancellationToken cancellationToken)
    {
        // The key is the eventId: every copy of one event lands on the same partition, so the worker that owns
        // the partition sees all of them and can keep exactly one.
        var key = eventId.ToString();
        var message = new Message<string, byte[]>
        {
            Key = key,
            Value = eventJson,
        };

        using var activity = StartSendActivity(key);
        message.Headers = EventMessageHeaders(activity);
        var started = metrics.TimesPublishes ? Stopwatch.GetTimestamp() : 0;
        try
        {
            // The producer's task itself, not an async lambda around it: one state machine fewer per request. Its
            // result is never null (only a batch's is: see PublishPipeline).
            var delivery = (await _pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<DeliveryResult<string, byte[]>?>(state.producer.ProduceAsync(state.topic, state.message, token)),
                (producer, topic: _topic, message),
                cancellationToken))!;
            metrics.Record(PublishStatus.Acknowledged, Since(started));
            if (activity is not null)
            {
                activity.SetTag("messaging.destination.partition.id", delivery.Partition.Value.ToString(CultureInfo.InvariantCulture));
                activity.SetTag("messaging.kafka.offset", delivery.Offset.Value);
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(
                    "Published event {EventId} to {Topic} [{Partition}] @{Offset}",
                    eventId, delivery.Topic, delivery.Partition.Value, delivery.Offset.Value);
            }

            return PublishResult.AcknowledgedAt(delivery.Partition.Value, delivery.Offset.Value);
        }
        catch (BrokenCircuitException ex)
        {
            metrics.Record(PublishStatus.Rejected, elapsed: null);
            activity?.SetError("circuit_open", "Not sent: the circuit is open.");
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("Refused event {EventId}: Kafka publishing is failing and the circuit is open", eventId);
            }

            return new PublishResult(PublishStatus.Rejected, RefusalReason(ex));
        }
        catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_MsgTimedOut)
        {
            metrics.Record(PublishStatus.TimedOut, Since(started), "timeout");
            activity?.SetError("timeout", ex.Error.Reason);
            logger.LogWarning("No acknowledgement for event {EventId} within the publish timeout: {Reason}", eventId, ex.Error.Reason);
            return new PublishResult(PublishStatus.TimedOut, "Kafka did not acknowledge the event in time.");
        }
        catch (KafkaException ex)
        {
            var errorType = ex.Error.Code.ToString();
            metrics.Record(PublishStatus.Failed, Since(started), errorType);
            activity?.SetError(errorType, ex.Error.Reason);
            logger.LogWarning("Publishing event {EventId} failed: {ErrorCode} {Reason}", eventId, ex.Error.Code, ex.Error.Reason);
            return new PublishResult(PublishStatus.Failed, "Kafka refused the event.");
        }
    }

    public async Task<PublishResult[]> PublishBatchAsync(IReadOnlyList<(Guid EventId, byte[] Json)> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            // Nothing to send (a batch whose every entry was invalid): no span, no trip through the circuit breaker.
            return [];
        }

        // One span and one trip through the resilience pipeline for the whole batch, and every message handed to the
        // producer with a delivery callback instead of an awaited task each: per event, what is left is librdkafka's
        // own work. Every event carries the batch span's trace context, so the worker's spans join the request.
        using var activity = StartSendActivity(key: null, batchSize: events.Count);
        var headers = EventMessageHeaders(activity);
        var delivery = new BatchDelivery(events.Count);
        var started = Stopwatch.GetTimestamp();
        var results = new PublishResult[events.Count];
        try
        {
            await _pipeline.ExecuteAsync(
                static async ValueTask<DeliveryResult<string, byte[]>?> (state, token) =>
                {
                    for (var i = 0; i < state.events.Count; i++)
                    {
                        var (eventId, json) = state.events[i];
                        try
                        {
                            // The producer copies the headers into each message as it queues it: one instance serves all.
                            state.producer.Produce(
                                state.topic,
                                new Message<string, byte[]> { Key = eventId.ToString(), Value = json, Headers = state.headers },
                                state.delivery.HandlerFor(i));
                        }
                        catch (ProduceException<string, byte[]> ex)
                        {
                            // Not queued at all (its queue full, say): that event's outcome, not the batch's.
                            state.delivery.Report(i, ex.Error);
                        }
                    }

                    try
                    {
                        await state.delivery.Completion.WaitAsync(state.wait, token);
                    }
                    catch (TimeoutException)
                    {
                        // The entries without a report are timed out below; the circuit counts Kafka's refusals only.
                        return null;
                    }

                    if (state.delivery.AllFailed && state.delivery.Outcome(0).Error is { } error)
                    {
                        // Only a batch that Kafka refused entirely counts against the circuit.
                        throw new KafkaException(error);
                    }

                    // Each entry's outcome is in state.delivery: a batch has no single delivery result.
                    return null;
                },
                (producer, topic: _topic, headers, delivery, events, wait: _batchWait),
                cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            activity?.SetError("circuit_open", "Not sent: the circuit is open.");
            Array.Fill(results, new PublishResult(PublishStatus.Rejected, RefusalReason(ex)));
            foreach (var _ in results)
            {
                metrics.Record(PublishStatus.Rejected, elapsed: null);
            }

            return results;
        }
        catch (KafkaException ex)
        {
            activity?.SetError(ex.Error.Code.ToString(), ex.Error.Reason);
        }

        var elapsed = Since(started);
        for (var i = 0; i < results.Length; i++)
        {
            // The same outcomes, and the same error.type values, as a single event's publish.
            (results[i], var errorType) = delivery.Outcome(i) switch
            {
                (true, null, var position) => (PublishResult.AcknowledgedAt(position.Partition, position.Offset), null),
                (true, { Code: ErrorCode.Local_MsgTimedOut }, _) or (false, _, _) => (new PublishResult(PublishStatus.TimedOut, "Kafka did not acknowledge the event in time."), "timeout"),
                (true, { } error, _) => (new PublishResult(PublishStatus.Failed, $"Kafka refused the event: {error.Reason}."), error.Code.ToString()),
            };
            metrics.Record(results[i].Status, elapsed, errorType);
        }

        var failed = results.Count(r => !r.IsAcknowledged);
        if (failed > 0)
        {
            logger.LogWarning("{Failed} of {Count} events of a batch were not acknowledged", failed, results.Length);
        }

        return results;
    }

    /// <summary>Why the circuit refused: the producer reported every broker down (isolated), or too many publishes failed.</summary>
    private static string RefusalReason(BrokenCircuitException refusal) => refusal is IsolatedCircuitException
        ? "Every Kafka broker is down; publishing resumes as soon as one is back."
        : "Kafka is failing; publishing is paused for a few seconds.";

    private static TimeSpan? Since(long started) => started == 0 ? null : Stopwatch.GetElapsedTime(started);

    /// <summary>A producer span per the messaging semantic conventions, or null when nobody records spans.</summary>
    private Activity? StartSendActivity(string? key, int batchSize = 1)
    {
        var activity = ApiTelemetry.Source.StartActivity(_spanName, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTags(_sendTags);
            if (key is not null)
            {
                activity.SetTag("messaging.kafka.message.key", key);
            }

            if (batchSize > 1)
            {
                activity.SetTag("messaging.batch.message_count", batchSize);
            }
        }

        return activity;
    }

    /// <summary>
    /// The headers of an event's message: content type, schema version, and W3C trace context (traceparent,
    /// tracestate) of <paramref name="activity"/> or the current one, so that the worker's processing span joins the
    /// trace of the request that produced the event.
    /// </summary>
    private static Headers EventMessageHeaders(Activity? activity)
    {
        var headers = new Headers
        {
            { EventHeaders.ContentType, ContentType },
            { EventHeaders.SchemaVersion, SchemaVersion },
        };
        InjectTraceContext(activity ?? Activity.Current, headers);
        return headers;
    }

    private static void InjectTraceContext(Activity? activity, Headers headers)
    {
        if (activity is null)
        {
            return;
        }

        Propagators.DefaultTextMapPropagator.Inject(
            new PropagationContext(activity.Context, Baggage.Current),
            headers,
            static (carrier, name, value) => carrier.Add(name, Encoding.UTF8.GetBytes(value)));
    }
}
