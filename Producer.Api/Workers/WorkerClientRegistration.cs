namespace Producer.Api.Workers;

internal static class WorkerClientRegistration
{
    /// <summary>The directory of workers, the HTTP/2 handler their channels use, and the breaker around calls.</summary>
    public static IServiceCollection AddWorkerClients(this IServiceCollection services)
    {
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
        return services;
    }
}
