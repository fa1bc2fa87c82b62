using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Producer.Api.Workers;

/// <summary>Ready when the workers that answer serve every partition of the topic, each exactly once.</summary>
internal sealed class WorkerHealthCheck(WorkerFanOut workers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ownerships, unreachable, problem) = await workers.CheckCoverageAsync(cancellationToken);
        var served = string.Join("; ", ownerships.Select(o => $"{o.Worker}: [{string.Join(",", o.Partitions)}]"));
        var detail = $"{ownerships.Count} worker(s) answered, {unreachable} did not. {served}";
        return problem is null
            ? HealthCheckResult.Healthy(detail)
            : HealthCheckResult.Unhealthy($"{problem}. {detail}");
    }
}
