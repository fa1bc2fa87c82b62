using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Consumer.Worker.Consuming;

/// <summary>
/// One message, start to finish: handled with bounded retries for transient failures, dead-lettered when it is
/// malformed or keeps failing. When it returns, the message is settled and its offset may be stored.
/// </summary>
public sealed class MessageProcessor
{
    private readonly EventMessageHandler _handler;
    private readonly IDeadLetterPublisher _deadLetters;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<MessageProcessor> _logger;
    private readonly ResiliencePipeline<HandleResult> _retry;

    public MessageProcessor(
        EventMessageHandler handler,
        IDeadLetterPublisher deadLetters,
        WorkerMetrics metrics,
        IOptions<WorkerOptions> options,
        ILogger<MessageProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _handler = handler;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _logger = logger;
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

    public HandleResult Process(ConsumeResult<string?, byte[]?> result, bool rebuilding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        HandleResult outcome;
        try
        {
            outcome = _retry.Execute(
                static (state, _) => state.handler.Handle(state.result, state.rebuilding),
                (handler: _handler, result, rebuilding),
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(
                ex,
                "Processing {Topic} [{Partition}] @{Offset} failed on every attempt",
                result.Topic, result.Partition.Value, result.Offset.Value);
            outcome = new HandleResult(HandleOutcome.Failed, $"processing failed: {ex.GetType().Name}: {ex.Message}");
        }

        if (outcome.GoesToDeadLetters && rebuilding)
        {
            // Below the committed offset, the message was dead-lettered (and counted) when it was first read.
            return outcome;
        }

        if (outcome.GoesToDeadLetters)
        {
            _deadLetters.Publish(result, outcome.Reason ?? outcome.Outcome.ToString(), cancellationToken);
        }

        _metrics.Record(outcome.Outcome);
        return outcome;
    }
}
