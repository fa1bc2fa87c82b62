using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Producer.Api.Kafka;

/// <summary>Ready when a broker answers a metadata request for the topic and the topic exists.</summary>
internal sealed class KafkaHealthCheck(ITopicMetadata metadata) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var topic = await metadata.FetchAsync(cancellationToken);
            return topic is { Error.IsError: false }
                ? HealthCheckResult.Healthy($"Topic {metadata.Topic} has {topic.Partitions.Count} partitions.")
                : HealthCheckResult.Unhealthy($"Topic {metadata.Topic} is not available: {topic?.Error.Reason ?? "unknown topic"}.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka did not answer: {ex.Error.Reason}.");
        }
    }
}
