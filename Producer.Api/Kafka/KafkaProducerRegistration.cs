using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using Producer.Api.Telemetry;
using Shared.Hosting;
using Shared.Hosting.Kafka;

namespace Producer.Api.Kafka;

internal static class KafkaProducerRegistration
{
    /// <summary>
    /// One producer for the whole process (it is thread safe, and batching only works when shared), the publisher and
    /// its pipeline, the all-brokers-down breaker, the topic's metadata asked through the producer, and the flush at
    /// shutdown.
    /// </summary>
    public static IHostApplicationBuilder AddKafkaPublishing(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<KafkaOptions>();
        builder.AddValidatedOptions<ProducerApiOptions>();
        var services = builder.Services;
        services.AddSingleton(static sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var api = sp.GetRequiredService<IOptions<ProducerApiOptions>>().Value;
            var statistics = sp.GetRequiredService<KafkaClientMetrics>();
            var config = CreateConfig(kafka, api);
            config.StatisticsIntervalMs = statistics.StatisticsIntervalMs;
            return new ProducerBuilder<string, byte[]>(config)
                .WithServiceTelemetry(sp.GetRequiredService<ILoggerFactory>(), statistics, "producer", sp.GetRequiredService<AllBrokersDown>().OnProducerError)
                .Build();
        });
        services.AddSingleton<PublishMetrics>();
        services.AddSingleton<AllBrokersDown>();
        services.AddHostedService<AllBrokersDownBreaker>();
        services.AddPublishPipeline();
        services.AddSingleton<IEventPublisher, KafkaEventPublisher>();
        services.AddSingleton<ITopicMetadata, KafkaTopicMetadata>();
        services.TryAddSingleton<CircuitStates>();
        services.AddHostedService<KafkaProducerLifetime>();
        return builder;
    }

    internal static ProducerConfig CreateConfig(KafkaOptions kafka, ProducerApiOptions api) => new()
    {
        BootstrapServers = kafka.BootstrapServers,
        ClientId = "producer-api",
        // An acknowledged event is on every in-sync replica, and retries never write it twice.
        Acks = Acks.All,
        EnableIdempotence = true,
        // murmur2 of the key, as the Java client does: an eventId maps to the same partition from any producer,
        // and anyone who knows the partition count can tell which partition (and so which worker) holds an event.
        Partitioner = Partitioner.Murmur2Random,
        // Every POST waits for its acknowledgement, so throughput is connections / (linger + round trip):
        // a short linger batches concurrent requests without adding much latency to each.
        LingerMs = api.LingerMs,
        SocketNagleDisable = true,
        CompressionType = CompressionType.Lz4,
        // librdkafka retries on its own until this deadline; after it the client gets its 503, never a
        // 201 for a message still in flight. Its default is 300 s.
        MessageTimeoutMs = api.PublishTimeoutMs,
        // The API reads only the partition and offset of a delivery (always there): no copies of the key, value
        // and headers back into the report.
        DeliveryReportFields = "none",
        RequestTimeoutMs = api.PublishTimeoutMs,
    };
}
