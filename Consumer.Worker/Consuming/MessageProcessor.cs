using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using OpenTelemetry.Context.Propagation;
using Polly;
using Polly.Retry;
using Shared.Hosting;
using Shared.Hosting.Telemetry;

namespace Consumer.Worker.Consuming;

/// <summary>
/// One message, start to finish: handled with bounded retries for transient failures, dead-lettered when it is
/// malformed or keeps failing. When it returns, the message is settled and its offset may be stored.
/// </summary>
public sealed class MessageProcessor
{
    private static readonly Func<EventMessageHandler, ConsumeResult<string?, byte[]?>, HandleResult> Processing = static (handler, result) => handler.Handle(result);
    private static readonly Func<EventMessageHandler, ConsumeResult<string?, byte[]?>, HandleResult> Replaying = static (handler, result) => handler.Replay(result);

    private readonly EventMessageHandler _handler;
    private readonly IDeadLetterPublisher _deadLetters;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<MessageProcessor> _logger;
    private readonly ResiliencePipeline<HandleResult> _retry;
    private readonly string _consumerGroup;
    private (string Topic, string Name, KeyValuePair<string, object?>[] Tags) _span = (string.Empty, string.Empty, []);

    public MessageProcessor(
        EventMessageHandler handler,
        IDeadLetterPublisher deadLetters,
        WorkerMetrics metrics,
        IOptions<KafkaOptions> kafka,
        IOptions<WorkerOptions> options,
        ILogger<MessageProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(options);
        _handler = handler;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _logger = logger;
        _consumerGroup = kafka.Value.ConsumerGroup;
        var retries = options.Value.ProcessingMaxAttempts - 1;
        var builder = new ResiliencePipelineBuilder<HandleResult>();
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HandleResult>
            {
                // Bad data is not an exception here (it comes back as Malformed), so what throws is the
                // processing itself: worth another try.
                ShouldHandle = new PredicateBuilder<HandleResult>().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(50),
            });
        }

        _retry = builder.Build();
    }

    /// <summary>A message read for the first time: handled, traced, dead-lettered if it must be, and counted.</summary>
    public HandleResult Process(ConsumeResult<string?, byte[]?> result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var activity = StartProcessActivity(result);
        var outcome = Handle(result, Processing, cancellationToken);
        if (outcome.GoesToDeadLetters)
        {
            _deadLetters.Publish(result, outcome.Reason ?? outcome.Outcome.ToString(), cancellationToken);
            _metrics.DeadLettered(outcome.Outcome);
        }

        _metrics.Record(outcome.Outcome, outcome.Timestamp);
        if (activity is not null)
        {
            var name = outcome.Outcome.ToString().ToLowerInvariant();
            activity.SetTag("useractivity.outcome", name);
            if (outcome.GoesToDeadLetters)
            {
                activity.SetError(name, outcome.Reason);
            }
        }

        return outcome;
    }

    /// <summary>
    /// A message below its partition's committed offset, read again to rebuild the store. It was processed (traced,
    /// counted, dead-lettered) when it was first read: now it is only put back, with no span and no dead letter.
    /// </summary>
    public HandleResult Replay(ConsumeResult<string?, byte[]?> result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = Handle(result, Replaying, cancellationToken);
        if (!outcome.GoesToDeadLetters)
        {
            _metrics.Record(outcome.Outcome);
        }

        return outcome;
    }

    private HandleResult Handle(
        ConsumeResult<string?, byte[]?> result,
        Func<EventMessageHandler, ConsumeResult<string?, byte[]?>, HandleResult> handle,
        CancellationToken cancellationToken)
    {
        try
        {
            return _retry.Execute(
                static (state, _) => state.handle(state.handler, state.result),
                (handler: _handler, result, handle),
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(
                ex,
                "Processing {Topic} [{Partition}] @{Offset} failed on every attempt",
                result.Topic, result.Partition.Value, result.Offset.Value);
            return new HandleResult(HandleOutcome.Failed, $"processing failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// A consumer span per the messaging semantic conventions, continuing the trace whose context the producer put into
    /// the message's headers (traceparent, tracestate); a message without them starts a trace of its own.
    /// </summary>
    private Activity? StartProcessActivity(ConsumeResult<string?, byte[]?> result)
    {
        var source = WorkerTelemetry.Source;
        if (!source.HasListeners())
        {
            return null;
        }

        var parent = Propagators.DefaultTextMapPropagator.Extract(default, result.Message.Headers, static (headers, name) =>
            headers is not null && headers.TryGetLastBytes(name, out var bytes) ? [Encoding.UTF8.GetString(bytes)] : []);
        var span = Span(result.Topic);
        var activity = source.StartActivity(span.Name, ActivityKind.Consumer, parent.ActivityContext);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTags(span.Tags);
            activity.SetTag("messaging.consumer.group.name", _consumerGroup);
            activity.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", result.Offset.Value);
            activity.SetTag("messaging.kafka.message.key", result.Message.Key);
        }

        return activity;
    }

    /// <summary>"process {topic}" and the span's messaging tags, built once: the worker consumes one topic.</summary>
    private (string Topic, string Name, KeyValuePair<string, object?>[] Tags) Span(string topic)
    {
        var cached = _span;
        if (!string.Equals(cached.Topic, topic, StringComparison.Ordinal))
        {
            _span = cached = (topic, $"process {topic}", MessagingTags.Operation("process", topic));
        }

        return cached;
    }
}
