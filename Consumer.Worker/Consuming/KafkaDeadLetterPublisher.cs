using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Consumer.Worker.Consuming;

internal sealed class KafkaDeadLetterPublisher : IDeadLetterPublisher
{
    private readonly IProducer<string?, byte[]?> _producer;
    private readonly string _topic;
    private readonly TimeProvider _time;
    private readonly ILogger<KafkaDeadLetterPublisher> _logger;
    private readonly ResiliencePipeline _untilAcknowledged;

    public KafkaDeadLetterPublisher(
        IProducer<string?, byte[]?> producer,
        IOptions<WorkerOptions> options,
        TimeProvider time,
        ILogger<KafkaDeadLetterPublisher> logger)
    {
        _producer = producer;
        _topic = options.Value.DeadLetterTopic;
        _time = time;
        _logger = logger;
        // No attempt limit: giving up would mean moving the offset past a message that is nowhere. Kafka being
        // down stalls the partition instead, which consumer lag makes visible.
        _untilAcknowledged = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KafkaException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                OnRetry = retry =>
                {
                    _logger.LogWarning(
                        "Dead-letter write failed (attempt {Attempt}): {Reason}; retrying",
                        retry.AttemptNumber + 1, retry.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public void Publish(ConsumeResult<string?, byte[]?> failed, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        var headers = new Headers();
        foreach (var header in failed.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add(DeadLetterHeaders.OriginalTopic, Encoding.UTF8.GetBytes(failed.Topic));
        headers.Add(DeadLetterHeaders.OriginalPartition, Encoding.UTF8.GetBytes(failed.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalOffset, Encoding.UTF8.GetBytes(failed.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason));
        headers.Add(DeadLetterHeaders.FailedAt, Encoding.UTF8.GetBytes(_time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        var message = new Message<string?, byte[]?> { Key = failed.Message.Key, Value = failed.Message.Value, Headers = headers };

        // The consume loop has a thread of its own, so waiting here blocks nothing else.
        var delivery = _untilAcknowledged.ExecuteAsync(
            async token => await _producer.ProduceAsync(_topic, message, token),
            cancellationToken).AsTask().GetAwaiter().GetResult();
        _logger.LogWarning(
            "Dead-lettered {Topic} [{Partition}] @{Offset} to {DeadLetterTopic} @{DeadLetterOffset}: {Reason}",
            failed.Topic, failed.Partition.Value, failed.Offset.Value, _topic, delivery.Offset.Value, reason);
    }
}
