using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Consumer.Worker.Consuming;

internal static class DeadLetterRegistration
{
    /// <summary>The worker's one producer, for dead letters: idempotent and acks=all, like the API's.</summary>
    public static IServiceCollection AddDeadLetterPublishing(this IServiceCollection services)
    {
        services.AddSingleton(static sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var statistics = sp.GetRequiredService<KafkaClientMetrics>();
            return new ProducerBuilder<string?, byte[]?>(new ProducerConfig
            {
                BootstrapServers = kafka.BootstrapServers,
                ClientId = "consumer-worker-dlq",
                Acks = Acks.All,
                EnableIdempotence = true,
                MessageTimeoutMs = 10_000,
                StatisticsIntervalMs = statistics.StatisticsIntervalMs,
            })
                .WithServiceTelemetry(sp.GetRequiredService<ILoggerFactory>(), statistics, "dead-letter-producer")
                .Build();
        });
        services.AddSingleton<IDeadLetterPublisher, KafkaDeadLetterPublisher>();
        return services;
    }
}
