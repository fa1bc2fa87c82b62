using Microsoft.Extensions.DependencyInjection.Extensions;
using Producer.Api.Options;
using Producer.Api.Telemetry;
using Shared.Hosting;

namespace Producer.Api.Workers;

internal static class WorkerQueryRegistration
{
    /// <summary>
    /// Everything the API needs to ask the workers: the directory of workers, the HTTP/2 handler their channels use,
    /// the fan-out that makes one answer of theirs, and the breaker around calls.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerQueries(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ProducerApiOptions>();
        var services = builder.Services;
        services.TryAddSingleton<CircuitStates>();
        services.AddSingleton<WorkerCallMetrics>();
        services.AddHttpClient(WorkerDirectory.HandlerName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(2),
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            })
            .AddHttpMessageHandler(static () => new TraceContextHandler());
        services.AddSingleton<IWorkerDirectory, WorkerDirectory>();
        services.AddSingleton<WorkerFanOut>();
        services.AddWorkerCallPipeline();
        return builder;
    }
}
