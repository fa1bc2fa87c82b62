using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Producer.Api.Options;

namespace Producer.Api.Health;

/// <summary>Ready when the worker's standard gRPC health service says SERVING.</summary>
internal sealed class WorkerHealthCheck(Grpc.Health.V1.Health.HealthClient worker, IOptions<ProducerApiOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await worker.CheckAsync(
                new HealthCheckRequest(),
                deadline: DateTime.UtcNow + options.Value.WorkerCallTimeout,
                cancellationToken: cancellationToken);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? HealthCheckResult.Healthy("The worker is serving.")
                : HealthCheckResult.Unhealthy($"The worker reports {reply.Status}.");
        }
        catch (RpcException ex)
        {
            return HealthCheckResult.Unhealthy($"The worker did not answer: {ex.StatusCode}.");
        }
    }
}
