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
        services.AddSingleton(static sp => ServiceProducer.Build<string, byte[]>(
            sp,
            CreateConfig(sp.GetRequiredService<IOptions<KafkaOptions>>().Value, sp.GetRequiredService<IOptions<ProducerApiOptions>>().Value),
            "producer",
            sp.GetRequiredService<AllBrokersDown>().OnProducerError));
        services.AddSingleton<PublishMetrics>();
        services.AddSingleton<AllBrokersDown>();
        services.AddHostedService<AllBrokersDownBreaker>();
        services.AddPublishPipeline();
        services.AddSingleton<IEventPublisher, KafkaEventPublisher>();
        services.AddSingleton<ITopicMetadata, KafkaTopicMetadata>();
        services.AddSingleton<IPartitionEnds, KafkaPartitionEnds>();
        services.TryAddSingleton<CircuitStates>();
        services.AddHostedService<KafkaProducerLifetime>();
        return builder;
    }

    internal static ProducerConfig CreateConfig(KafkaOptions kafka, ProducerApiOptions api)
    {
        // Acknowledged means on every in-sync replica, and retries never write an event twice.
        var config = ServiceProducer.Config(kafka, "producer-api");
        // murmur2 of the key, as the Java client does: an eventId maps to the same partition from any producer,
        // and anyone who knows the partition count can tell which partition (and so which worker) holds an event.
        config.Partitioner = Partitioner.Murmur2Random;
        // Every POST waits for its acknowledgement, so throughput is connections / (linger + round trip): a short
        // linger (2 ms) batches concurrent requests without adding much latency to each, and fewer, larger produce
        // requests made the development broker's round trip shorter than 0.5 ms did (1.26x the requests/s at 64
        // connections, bench/run).
        config.LingerMs = api.LingerMs;
        config.SocketNagleDisable = true;
        config.CompressionType = CompressionType.Lz4;
        // librdkafka retries on its own until this deadline; after it the client gets its 503, never a
        // 201 for a message still in flight. Its default is 300 s.
        config.MessageTimeoutMs = api.PublishTimeoutMs;
        // The API reads only the partition and offset of a delivery (always there): no copies of the key, value
        // and headers back into the report.
        config.DeliveryReportFields = "none";
        config.RequestTimeoutMs = api.PublishTimeoutMs;
        return config;
    }
}
