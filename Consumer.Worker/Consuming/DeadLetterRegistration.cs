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
        services.AddSingleton(static sp => ServiceProducer.Build<string?, byte[]?>(
            sp, CreateConfig(sp.GetRequiredService<IOptions<KafkaOptions>>().Value), "dead-letter-producer"));
        services.AddSingleton<IDeadLetterPublisher, KafkaDeadLetterPublisher>();
        return builder;
    }

    /// <summary>
    /// A dead letter's acknowledgement lets the consume loop move the offset past the failed message, so it must mean
    /// the dead letter is on every in-sync replica (acks=all), and the publisher's retries must not write it twice.
    /// </summary>
    internal static ProducerConfig CreateConfig(KafkaOptions kafka)
    {
        var config = ServiceProducer.Config(kafka, "consumer-worker-dlq");
        config.MessageTimeoutMs = 10_000;
        return config;
    }
}
