using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shared.Hosting;

namespace Producer.Api.Health;

/// <summary>
/// Ready when a broker answers a metadata request for the topic. It asks through the producer's own connections
/// (a dependent admin client), so it tests the path that publishing takes.
/// </summary>
internal sealed class KafkaHealthCheck(IProducer<string, byte[]> producer, IOptions<KafkaOptions> kafka) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Lazy<IAdminClient> _admin = new(() => new DependentAdminClientBuilder(producer.Handle).Build());

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var topic = kafka.Value.Topic;
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(topic, Timeout), cancellationToken);
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            return found is { Error.IsError: false }
                ? HealthCheckResult.Healthy($"Topic {topic} has {found.Partitions.Count} partitions.")
                : HealthCheckResult.Unhealthy($"Topic {topic} is not available: {found?.Error.Reason ?? "unknown topic"}.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka did not answer: {ex.Error.Reason}.");
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
