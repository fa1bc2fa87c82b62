using Consumer.Worker.Consuming;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Consumer.Worker.Health;

/// <summary>
/// Ready once the consume loop runs, the group has given it an assignment, and every owned partition is served: rebuilt
/// into the store and read up to its end as of the assignment. Before that, a query would answer with events missing;
/// after a loss, until the group assigns partitions again, the worker cannot know what it should serve.
/// </summary>
internal sealed class ConsumerHealthCheck(ServingState serving) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = serving.Current;
        var owned = string.Join(",", current.Owned);
        if (!current.IsJoined)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(current.Kept.Count > 0
                ? $"Lost partitions [{string.Join(",", current.Kept)}] (the group session expired); their events are kept for lookups until the group assigns partitions again."
                : "Not (yet) a member of the consumer group."));
        }

        return Task.FromResult(current.IsReady
            ? HealthCheckResult.Healthy($"Joined the group with partitions [{owned}].")
            : HealthCheckResult.Unhealthy(
                $"Rebuilding partitions [{string.Join(",", current.Rebuilding)}] and catching up [{string.Join(",", current.CatchingUp)}] of [{owned}] from the log."));
    }
}
