using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Consumer.Worker.Consuming;

/// <summary>
/// The consume loop. Consume() blocks, so the loop has a thread of its own rather than a thread-pool thread
/// that it would hold for the life of the process.
/// </summary>
internal sealed class KafkaConsumerService(
    IOptions<KafkaOptions> kafka,
    IOptions<WorkerOptions> worker,
    EventMessageHandler handler,
    ConsumerState state,
    ILoggerFactory loggers) : BackgroundService
{
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
        state.Started();
        _logger.LogInformation("Consuming {Topic} in group {ConsumerGroup}", topic, worker.Value.ConsumerGroup);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = Consume(consumer, stoppingToken);
                if (result?.Message is null)
                {
                    continue;
                }

                handler.Handle(result);
                StoreOffset(consumer, result);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _logger.LogInformation("Consume loop stopping");
        }
        finally
        {
            state.Stopped();
            // Close commits the offsets stored so far and leaves the group at once, so the partitions move to
            // another worker now instead of after the session timeout.
            consumer.Close();
            _logger.LogInformation("Kafka consumer closed");
        }
    }

    private ConsumeResult<string?, byte[]?>? Consume(IConsumer<string?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        try
        {
            return consumer.Consume(stoppingToken);
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

    private void StoreOffset(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result)
    {
        try
        {
            // At-least-once: the offset is stored only after the event is in the store (or was judged malformed
            // and skipped). Auto-commit sends stored offsets every second; Close() sends the last ones.
            consumer.StoreOffset(result);
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            // The partition was revoked while the event was handled. Its new owner will deliver the event
            // again, and the eventId makes the second delivery harmless.
            _logger.LogInformation(
                "Offset not stored for {Topic} [{Partition}] @{Offset}: the partition is no longer assigned",
                result.Topic, result.Partition.Value, result.Offset.Value);
        }
    }

    private IConsumer<string?, byte[]?> Build()
    {
        var settings = worker.Value;
        var forwarder = new KafkaLogForwarder(loggers.CreateLogger("Kafka.Consumer"), TimeProvider.System, TimeSpan.FromSeconds(10));
        var config = new ConsumerConfig
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            GroupId = settings.ConsumerGroup,
            ClientId = $"consumer-worker-{Environment.MachineName}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = settings.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(settings.SessionTimeoutMs / 3, 100),
            EnablePartitionEof = false,
        };
        return new ConsumerBuilder<string?, byte[]?>(config)
            .SetLogHandler((_, message) => forwarder.OnLog(message))
            .SetErrorHandler((_, error) => forwarder.OnError(error))
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                state.OnAssigned(partitions);
                _logger.LogInformation("Assigned partitions {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                state.OnRevoked();
                _logger.LogInformation("Revoked partitions {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                state.OnRevoked();
                _logger.LogWarning("Lost partitions {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .Build();
    }
}
