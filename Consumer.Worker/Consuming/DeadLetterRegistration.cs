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
            var forwarder = new KafkaLogForwarder(
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Kafka.DeadLetterProducer"), TimeProvider.System, TimeSpan.FromSeconds(10));
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
                .SetLogHandler((_, message) => forwarder.OnLog(message))
                .SetErrorHandler((_, error) => forwarder.OnError(error))
                .SetStatisticsHandler((_, json) => statistics.OnStatistics("dead-letter-producer", json))
                .Build();
        });
        services.AddSingleton<IDeadLetterPublisher, KafkaDeadLetterPublisher>();
        return services;
    }
}
