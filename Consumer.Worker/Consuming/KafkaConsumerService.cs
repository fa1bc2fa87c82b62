using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Consumer.Worker.Consuming;

/// <summary>
/// The consume loop. Consume() blocks, so the loop has a thread of its own rather than a thread-pool thread that it
/// would hold for the life of the process. What a message means for its partition (read back or processed, a gap,
/// the offset to store, the partition now served) is <see cref="PartitionLifecycle"/>'s to decide.
/// </summary>
internal sealed class KafkaConsumerService(
    IOptions<KafkaOptions> kafka,
    IOptions<WorkerOptions> worker,
    MessageProcessor processor,
    PartitionLifecycle partitions,
    ConsumerMetrics metrics,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>How long one Consume waits for a message: also how often an idle loop checks rebuilds and shutdown.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly ILogger _logger = loggers.CreateLogger<KafkaConsumerService>();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                completion.TrySetResult();
            }
            catch (Exception ex)
            {
                // The host logs this and stops; a non-zero exit code lets the orchestrator restart the worker.
                Environment.ExitCode = 1;
                completion.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "kafka-consume-loop",
        };
        thread.Start();
        return completion.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        var topic = kafka.Value.Topic;
        using var consumer = Build();
        consumer.Subscribe(topic);
        partitions.Started();
        _logger.LogInformation("Consuming {Topic} in group {ConsumerGroup}", topic, kafka.Value.ConsumerGroup);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = Consume(consumer);
                if (result?.Message is null)
                {
                    partitions.OnIdle(consumer);
                    continue;
                }

                var replay = partitions.OnMessage(consumer, result);
                if (replay)
                {
                    processor.Replay(result, stoppingToken);
                }
                else
                {
                    processor.Process(result, stoppingToken);
                }

                partitions.OnSettled(consumer, result, replay);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _logger.LogInformation("Consume loop stopping");
        }
        finally
        {
            partitions.Stopped();
            // Close commits the offsets stored so far and leaves the group at once, so the partitions move to
            // another worker now instead of after the session timeout.
            consumer.Close();
            _logger.LogInformation("Kafka consumer closed");
        }
    }

    private ConsumeResult<string?, byte[]?>? Consume(IConsumer<string?, byte[]?> consumer)
    {
        try
        {
            return consumer.Consume(PollInterval);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // Broker errors and the like: librdkafka recovers by itself; the loop carries on.
            _logger.LogWarning(
                "Consume failed at {Topic} [{Partition}] @{Offset}: {Reason}",
                ex.ConsumerRecord?.Topic, ex.ConsumerRecord?.Partition.Value, ex.ConsumerRecord?.Offset.Value, ex.Error.Reason);
            return null;
        }
    }

    private IConsumer<string?, byte[]?> Build()
    {
        var config = KafkaConsumerRegistration.CreateConfig(kafka.Value, worker.Value);
        // Consumer lag and queue depth for the metrics; 0 (none) while metrics are off.
        config.StatisticsIntervalMs = metrics.StatisticsIntervalMs;
        return new ConsumerBuilder<string?, byte[]?>(config)
            .WithServiceTelemetry(loggers, metrics.OnStatistics, "consumer")
            .SetPartitionsAssignedHandler(partitions.OnAssigned)
            .SetPartitionsRevokedHandler(partitions.OnRevoked)
            .SetPartitionsLostHandler(partitions.OnLost)
            .Build();
    }
}
