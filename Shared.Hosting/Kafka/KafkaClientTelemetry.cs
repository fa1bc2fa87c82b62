using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Shared.Hosting.Kafka;

/// <summary>
/// What every Kafka client of the services gets alike: librdkafka's log lines and errors through the service's
/// logger (repeats folded), and its statistics as metrics.
/// </summary>
public static class KafkaClientTelemetry
{
    /// <summary>One line per distinct librdkafka message per window: an outage stays readable.</summary>
    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    /// <param name="builder">The producer being built.</param>
    /// <param name="loggers">Where librdkafka's log lines and errors go.</param>
    /// <param name="metrics">Where its statistics go.</param>
    /// <param name="client">The client's name in logs and metrics.</param>
    /// <param name="onError">
    /// Also told every client error, after it is logged: librdkafka allows one error handler per client, and some
    /// errors (every broker down) are signals the service acts on.
    /// </param>
    public static ProducerBuilder<TKey, TValue> WithServiceTelemetry<TKey, TValue>(
        this ProducerBuilder<TKey, TValue> builder, ILoggerFactory loggers, KafkaClientMetrics metrics, string client, Action<Error>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var forwarder = Forwarder(loggers, client);
        return builder
            .SetLogHandler((_, message) => forwarder.OnLog(message))
            .SetErrorHandler((_, error) =>
            {
                forwarder.OnError(error);
                onError?.Invoke(error);
            })
            .SetStatisticsHandler((_, json) => metrics.OnStatistics(client, json));
    }

    public static ConsumerBuilder<TKey, TValue> WithServiceTelemetry<TKey, TValue>(
        this ConsumerBuilder<TKey, TValue> builder, ILoggerFactory loggers, Action<string> onStatistics, string client)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var forwarder = Forwarder(loggers, client);
        return builder
            .SetLogHandler((_, message) => forwarder.OnLog(message))
            .SetErrorHandler((_, error) => forwarder.OnError(error))
            .SetStatisticsHandler((_, json) => onStatistics(json));
    }

    private static KafkaLogForwarder Forwarder(ILoggerFactory loggers, string client)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return new KafkaLogForwarder(loggers.CreateLogger($"Kafka.{client}"), TimeProvider.System, LogWindow);
    }
}
