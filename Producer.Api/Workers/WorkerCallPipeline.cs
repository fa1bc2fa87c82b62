using Grpc.Core;
using Polly;
using Polly.CircuitBreaker;
using Producer.Api.Telemetry;

namespace Producer.Api.Workers;

/// <summary>
/// The circuit breaker around calls to the worker. gRPC's own retry policy (see WorkerDirectory)
/// already retries Unavailable with backoff; the breaker stops every request from paying for those retries and
/// the deadline while the worker is known to be down, and lets one call through now and then to notice it is back.
/// </summary>
internal static class WorkerCallPipeline
{
    public const string Name = "worker-calls";

    public static IServiceCollection AddWorkerCallPipeline(this IServiceCollection services)
    {
        services.AddResiliencePipeline(Name, static (pipeline, context) => pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            StateProvider = context.ServiceProvider.GetService<CircuitStates>()?.For(Name),
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(WorkerErrors.IsUnavailable),
            FailureRatio = 0.5,
            MinimumThroughput = 5,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = TimeSpan.FromSeconds(2),
        }));
        return services;
    }
}
