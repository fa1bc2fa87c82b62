using Consumer.Worker.Consuming;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Consumer.Worker.Health;

/// <summary>Ready once the consume loop runs and the group has given it an assignment.</summary>
internal sealed class ConsumerHealthCheck(ConsumerState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsJoined
            ? HealthCheckResult.Healthy($"Joined the group with partitions [{string.Join(",", state.Assigned.Select(p => p.Partition.Value))}].")
            : HealthCheckResult.Unhealthy("Not (yet) a member of the consumer group."));
}
