using Confluent.Kafka;
using Consumer.Worker.Options;
using Shared.Hosting;

namespace Consumer.Worker.Consuming;

internal static class KafkaConsumerRegistration
{
    /// <summary>
    /// The consume loop, what it does with each message (handled, retried, dead-lettered, counted), the owner of the
    /// partitions' life, and what that owner publishes for readers.
    /// </summary>
    public static IHostApplicationBuilder AddKafkaConsuming(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<KafkaOptions>();
        builder.AddValidatedOptions<WorkerOptions>();
        var services = builder.Services;
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<EventMessageHandler>();
        services.AddSingleton<MessageProcessor>();
        services.AddSingleton<ServingState>();
        services.AddSingleton<ConsumerMetrics>();
        services.AddSingleton<PartitionLifecycle>();
        services.AddHostedService<KafkaConsumerService>();
        return builder;
    }

    /// <summary>The consumer's whole configuration, in one place.</summary>
    internal static ConsumerConfig CreateConfig(KafkaOptions kafka, WorkerOptions worker) => new()
    {
        BootstrapServers = kafka.BootstrapServers,
        GroupId = kafka.ConsumerGroup,
        ClientId = $"consumer-worker-{Environment.MachineName}",
        // A group that never committed a partition reads it from the start: the store is a view of the whole log.
        AutoOffsetReset = AutoOffsetReset.Earliest,
        // At-least-once: the loop stores an offset only once its event is in the store (or dead-lettered), and
        // auto-commit sends what was stored every second; a revocation and Close() commit at once.
        EnableAutoCommit = true,
        AutoCommitIntervalMs = 1000,
        EnableAutoOffsetStore = false,
        SessionTimeoutMs = worker.SessionTimeoutMs,
        HeartbeatIntervalMs = Math.Max(worker.SessionTimeoutMs / 3, 100),
        EnablePartitionEof = false,
        // How long a fetch may wait at the broker for data (KAFKA_FETCH_WAIT_MAX_MS, 20 ms). Kafka answers as soon
        // as a byte arrives, so this only bounds idle fetches (50 a second per broker at 20 ms); the development
        // broker holds every empty fetch for the whole wait, which at librdkafka's 500 ms put half a second between
        // a 201 and the event being visible (bench/run's end-to-end phase: p50 664 ms at 500 ms, 67 to 150 ms at 10 ms).
        FetchWaitMaxMs = worker.FetchWaitMaxMs,
        // Only the partitions that really move are revoked and rebuilt; the others keep their store.
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
    };
}
