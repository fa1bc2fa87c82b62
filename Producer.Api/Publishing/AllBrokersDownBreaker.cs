using Confluent.Kafka;
using Producer.Api.Health;

namespace Producer.Api.Publishing;

/// <summary>
/// Isolates the publish circuit as soon as the producer reports every broker down, so that every POST answers 503
/// with Retry-After at once instead of waiting out the publish timeout; and closes it as soon as a broker answers a
/// metadata request through the producer's own connections again (which it does the moment librdkafka has
/// reconnected), not after a guessed delay. The circuit breaker's own rule stays in force for every other failure.
/// </summary>
internal sealed class AllBrokersDownBreaker(AllBrokersDown outage, ITopicMetadata topic, ILogger<AllBrokersDownBreaker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var report = await outage.NextAsync(stoppingToken);
                await outage.Circuit.IsolateAsync(stoppingToken);
                logger.LogWarning("Every Kafka broker is down ({Reason}): POST answers 503 at once until one is back", report.Reason);
                await WaitForABrokerAsync(stoppingToken);
                outage.DropPending();
                await outage.Circuit.CloseAsync(stoppingToken);
                logger.LogInformation("A Kafka broker answers again: publishing resumes");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Asks for the topic's metadata until a broker answers. While none is reachable each request waits out its own
    /// timeout, so this loop needs no pause of its own; once librdkafka has a connection again it answers at once.
    /// </summary>
    private async Task WaitForABrokerAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await topic.FetchAsync(stoppingToken);
                return;
            }
            catch (KafkaException)
            {
                // Still no broker.
            }
        }
    }
}
