using Confluent.Kafka;
using Consumer.Worker.Options;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Consumer.Worker.Consuming;

internal static class DeadLetterRegistration
{
    /// <summary>The worker's one producer, for dead letters: idempotent and acks=all, like the API's.</summary>
    public static IHostApplicationBuilder AddDeadLetterPublishing(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<KafkaOptions>();
        builder.AddValidatedOptions<WorkerOptions>();
        var services = builder.Services;
        services.AddSingleton(static sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var statistics = sp.GetRequiredService<KafkaClientMetrics>();
            var config = CreateConfig(kafka);
            config.StatisticsIntervalMs = statistics.StatisticsIntervalMs;
            return new ProducerBuilder<string?, byte[]?>(config)
                .WithServiceTelemetry(sp.GetRequiredService<ILoggerFactory>(), statistics, "dead-letter-producer")
                .Build();
        });
        services.AddSingleton<IDeadLetterPublisher, KafkaDeadLetterPublisher>();
        return builder;
    }

    /// <summary>
    /// A dead letter's acknowledgement lets the consume loop move the offset past the failed message, so it must mean
    /// the dead letter is on every in-sync replica (acks=all), and the publisher's retries must not write it twice.
    /// </summary>
    internal static ProducerConfig CreateConfig(KafkaOptions kafka) => new()
    {
        BootstrapServers = kafka.BootstrapServers,
        ClientId = "consumer-worker-dlq",
        Acks = Acks.All,
        EnableIdempotence = true,
        MessageTimeoutMs = 10_000,
    };
}
