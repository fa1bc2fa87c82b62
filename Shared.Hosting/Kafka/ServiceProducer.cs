using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shared.Hosting.Kafka;

/// <summary>
/// How each service builds its one producer: the same durability settings and the same telemetry, whatever the
/// producer sends (events from the API, dead letters from the worker).
/// </summary>
public static class ServiceProducer
{
    /// <summary>
    /// The settings every producer of the services starts from. An acknowledgement means the message is on every
    /// in-sync replica (acks=all): the API answers 201 on it, and the worker moves its offset past a dead-lettered
    /// message on it. Idempotence keeps librdkafka's retries from writing a message twice.
    /// </summary>
    /// <param name="kafka">The brokers.</param>
    /// <param name="clientId">The client's id in the brokers' logs and quotas.</param>
    public static ProducerConfig Config(KafkaOptions kafka, string clientId)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        return new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            ClientId = clientId,
            Acks = Acks.All,
            EnableIdempotence = true,
        };
    }

    /// <summary>
    /// Builds the producer from <paramref name="config"/>, with librdkafka's logs, errors and statistics going to the
    /// service's logging and metrics (statistics at the interval the metrics ask for, none when metrics are off).
    /// </summary>
    /// <param name="services">Where the loggers and <see cref="KafkaClientMetrics"/> come from.</param>
    /// <param name="config">The producer's settings; its statistics interval is set here.</param>
    /// <param name="client">The client's name in logs and metrics.</param>
    /// <param name="onError">Also told every client error, after it is logged.</param>
    public static IProducer<TKey, TValue> Build<TKey, TValue>(
        IServiceProvider services, ProducerConfig config, string client, Action<Error>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        var statistics = services.GetRequiredService<KafkaClientMetrics>();
        config.StatisticsIntervalMs = statistics.StatisticsIntervalMs;
        return new ProducerBuilder<TKey, TValue>(config)
            .WithServiceTelemetry(services.GetRequiredService<ILoggerFactory>(), statistics, client, onError)
            .Build();
    }
}
