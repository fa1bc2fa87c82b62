using Consumer.Worker.Consuming;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Consumer.Worker.Health;

/// <summary>
/// Ready once the consume loop runs, the group has given it an assignment, and every owned partition has been
/// rebuilt into the store: before that, a query would answer with events missing.
/// </summary>
internal sealed class ConsumerHealthCheck(ConsumerState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var owned = string.Join(",", state.Assigned);
        if (!state.IsJoined)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Not (yet) a member of the consumer group."));
        }

        return Task.FromResult(state.IsReady
            ? HealthCheckResult.Healthy($"Joined the group with partitions [{owned}].")
            : HealthCheckResult.Unhealthy($"Rebuilding partitions [{string.Join(",", state.Rebuilding)}] of [{owned}] from the log."));
    }
}
