using Confluent.Kafka;
using Consumer.Worker.Options;
using Consumer.Worker.Store;
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
    MessageProcessor processor,
    IProcessedEventStore store,
    ConsumerState state,
    ConsumerMetrics metrics,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>How long one Consume waits for a message: also how often an idle loop checks rebuilds and shutdown.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<KafkaConsumerService>();
    private readonly RetentionGapDetector _gaps = new();

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
                var result = Consume(consumer);
                if (result?.Message is null)
                {
                    state.OnPositions(partition => consumer.Position(new TopicPartition(topic, partition)).Value);
                    continue;
                }

                var partition = result.Partition.Value;
                metrics.Consumed(partition);
                if (_gaps.GapBefore(partition, result.Offset.Value) is { } expected)
                {
                    OnGap(consumer, result, expected);
                }

                var rebuilding = state.IsRebuilding(partition, result.Offset.Value);
                processor.Process(result, rebuilding, stoppingToken);
                if (rebuilding)
                {
                    state.OnPositions(p => p == partition ? result.Offset.Value + 1 : consumer.Position(new TopicPartition(topic, p)).Value);
                }
                else
                {
                    StoreOffset(consumer, result);
                }
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

    /// <summary>
    /// Offsets were skipped before this message. Only the log start tells whether retention deleted the events the
    /// worker expected (librdkafka then jumped to the new log start without an error) or the gap is harmless.
    /// </summary>
    private void OnGap(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result, long expected)
    {
        var logStart = LogStart(consumer, result.TopicPartition);
        var lost = RetentionGapDetector.LostToRetention(expected, result.Offset.Value, logStart);
        if (lost <= 0)
        {
            return;
        }

        metrics.LostToRetention(result.Partition.Value, lost);
        _logger.LogError(
            "Lost {EventsSkipped} events of {Topic} [{Partition}] to retention: expected offset {ExpectedOffset}, but the log now starts at {LogStartOffset}; they were deleted before they were processed",
            lost, result.Topic, result.Partition.Value, expected, logStart);
    }

    private void StoreOffset(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result)
    {
        try
        {
            // At-least-once: the offset is stored only after the event is in the store (or its dead letter was
            // acknowledged). Auto-commit sends stored offsets every second; revocation and Close() send the last.
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

    /// <summary>
    /// The store is a view of the log. A newly assigned partition is read from its start: what lies below the
    /// committed offset was processed before (by this worker before a restart, or by another) and is only put
    /// back into the store; processing proper resumes at the committed offset.
    /// </summary>
    private List<TopicPartitionOffset> OnAssigned(IConsumer<string?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        metrics.Assigned();
        if (partitions.Count == 0)
        {
            state.OnAssigned([]);
            return [];
        }

        var rebuild = new List<(int Partition, long Until, long LogStart)>();
        foreach (var committed in Committed(consumer, partitions))
        {
            var until = committed.Offset.IsSpecial ? 0 : committed.Offset.Value;
            _gaps.Assigned(committed.Partition.Value, committed.Offset.IsSpecial ? null : until);
            var logStart = until > 0 ? LogStart(consumer, committed.TopicPartition) : 0;
            if (until > 0 && logStart > 0)
            {
                // Time-based retention: the rebuilt store holds only what is still in the log. This is no loss to
                // processing (those events were processed once); anything between the committed offset and the log
                // start is, and the consume loop reports it when it meets the gap.
                _logger.LogWarning(
                    "Rebuilding {Topic} [{Partition}] from its log start {LogStartOffset}: {EventsNotRebuilt} earlier events were deleted by retention and are not in the store",
                    committed.Topic, committed.Partition.Value, logStart, Math.Min(logStart, until));
            }

            if (until <= logStart)
            {
                // Retention removed everything below the committed offset: there is nothing to rebuild.
                until = 0;
            }

            store.DropPartition(committed.Partition.Value);
            rebuild.Add((committed.Partition.Value, until, logStart));
        }

        state.OnAssigned(rebuild);
        _logger.LogInformation(
            "Assigned partitions {Partitions}; rebuilding {Rebuilding}",
            string.Join(",", partitions.Select(p => p.Partition.Value)),
            string.Join(",", rebuild.Where(r => r.Until > 0).Select(r => $"{r.Partition}<{r.Until}")));
        return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))];
    }

    private List<TopicPartitionOffset> Committed(IConsumer<string?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        try
        {
            return consumer.Committed(partitions, QueryTimeout);
        }
        catch (KafkaException ex)
        {
            // Without the committed offsets every message would count as new; they are only duplicates at worst,
            // which the store absorbs, so carry on without a rebuild boundary rather than stall the group.
            _logger.LogError("Could not read committed offsets ({Reason}); processing the partitions from their start", ex.Error.Reason);
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }
    }

    private long LogStart(IConsumer<string?, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            return consumer.QueryWatermarkOffsets(partition, QueryTimeout).Low.Value;
        }
        catch (KafkaException ex)
        {
            _logger.LogWarning("Could not read the log start of partition {Partition}: {Reason}", partition.Partition.Value, ex.Error.Reason);
            return 0;
        }
    }

    private void OnRevoked(IConsumer<string?, byte[]?> consumer, List<TopicPartitionOffset> partitions, bool lost)
    {
        if (!lost)
        {
            try
            {
                // Commit what was stored before the partitions go, so their next owner starts where this one ended.
                consumer.Commit();
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
            {
                // Nothing stored since the last commit.
            }
            catch (KafkaException ex)
            {
                _logger.LogWarning("Commit on revocation failed: {Reason}; the next owner re-reads from the last commit", ex.Error.Reason);
            }
        }

        foreach (var partition in partitions)
        {
            store.DropPartition(partition.Partition.Value);
            _gaps.Revoked(partition.Partition.Value);
        }

        state.OnRevoked(partitions.Select(p => p.Partition.Value));
        metrics.Revoked(partitions.Select(p => p.Partition.Value), lost);
        _logger.LogInformation(
            "Partitions {Partitions} {Change}; their events are dropped from the store",
            string.Join(",", partitions.Select(p => p.Partition.Value)),
            lost ? "lost" : "revoked");
    }

    private IConsumer<string?, byte[]?> Build()
    {
        var settings = worker.Value;
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
            // How long a fetch may wait at the broker for data. Kafka answers as soon as a byte arrives, so this only
            // bounds idle fetches (50 a second per broker at 20 ms); the development broker holds every fetch for
            // the whole wait, which at librdkafka's 500 ms put half a second between a 201 and the event being
            // visible (bench/run's end-to-end phase: p50 664 ms at 500 ms, 67 to 150 ms at 10 ms).
            FetchWaitMaxMs = 20,
            // Only the partitions that really move are revoked and rebuilt; the others keep their store.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            // Consumer lag and queue depth for the metrics; 0 (none) while metrics are off.
            StatisticsIntervalMs = metrics.StatisticsIntervalMs,
        };
        return new ConsumerBuilder<string?, byte[]?>(config)
            .WithServiceTelemetry(loggers, metrics.OnStatistics, "consumer")
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((consumer, partitions) => OnRevoked(consumer, partitions, lost: false))
            .SetPartitionsLostHandler((consumer, partitions) => OnRevoked(consumer, partitions, lost: true))
            .Build();
    }
}
