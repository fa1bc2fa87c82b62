using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Producer.Api.Options;

namespace Producer.Api.Kafka;

/// <summary>
/// Flushes the producer when the host stops. Hosted services stop after the web server has stopped taking
/// requests, so by then every publish still in flight belongs to a request that is waiting for its answer.
/// </summary>
internal sealed class KafkaProducerLifetime(
    IProducer<string, byte[]> producer,
    IOptions<ProducerApiOptions> options,
    ILogger<KafkaProducerLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // In-flight messages finish or time out within the publish timeout; waiting longer gains nothing.
        var remaining = await Task.Run(() => producer.Flush(options.Value.PublishTimeout), CancellationToken.None);
        if (remaining > 0)
        {
            logger.LogWarning("Stopping with {Remaining} events still unacknowledged after the flush bound; none of them was answered 201", remaining);
        }
        else
        {
            logger.LogInformation("Kafka producer flushed");
        }
    }
}
