using Confluent.Kafka;

namespace Producer.Api.Kafka;

/// <summary>
/// Isolates the publish circuit as soon as the producer reports every broker down, so that every POST answers 503
/// with Retry-After at once instead of waiting out the publish timeout; and asks for the topic's metadata until a
/// broker answers through the producer's own connections (which it does the moment librdkafka has reconnected). That
/// answer, or any other one such as the readiness check's, closes the circuit (<see cref="KafkaTopicMetadata"/>): a
/// signal, not a guessed delay. The circuit breaker's own rule stays in force for every other failure.
/// </summary>
internal sealed class AllBrokersDownBreaker(AllBrokersDown outage, ITopicMetadata topic) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var report = await outage.NextAsync(stoppingToken);
                await outage.IsolateAsync(report.Reason, stoppingToken);
                await WaitForABrokerAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// While no broker is reachable each metadata request waits out its own timeout, so this loop needs no pause of
    /// its own; once librdkafka has a connection again it is answered at once, and the answer closes the circuit.
    /// </summary>
    private async Task WaitForABrokerAsync(CancellationToken stoppingToken)
    {
        while (outage.IsIsolated)
        {
            try
            {
                await topic.FetchAsync(stoppingToken);
            }
            catch (KafkaException)
            {
                // Still no broker.
            }
        }
    }
}
