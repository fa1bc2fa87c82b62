using System.Globalization;
using Confluent.Kafka;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Hosting;

namespace Bench;

/// <summary>Producer settings for the references: the API's own, so that a ratio compares hosts, not settings.</summary>
internal static class Producers
{
    public static ProducerConfig ApiConfig(string? bootstrapServers = null)
    {
        var kafka = new KafkaOptions
        {
            BootstrapServers = bootstrapServers ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") ?? "localhost:9092",
        };
        var api = new ProducerApiOptions();
        if (Environment.GetEnvironmentVariable("KAFKA_LINGER_MS") is { Length: > 0 } linger)
        {
            api.LingerMs = double.Parse(linger, CultureInfo.InvariantCulture);
        }

        return KafkaProducerRegistration.CreateConfig(kafka, api);
    }

    /// <summary>
    /// The Kafka ceiling: the API's settings with librdkafka's default linger (5 ms), since nothing waits on a
    /// single acknowledgement and larger batches are what a producer without a latency bound would choose.
    /// </summary>
    public static ProducerConfig CeilingConfig(string bootstrapServers)
    {
        var config = ApiConfig(bootstrapServers);
        config.LingerMs = 5;
        config.ClientId = "bench-raw-producer";
        return config;
    }
}
