using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

internal static class WorkerClientRegistration
{
    /// <summary>The gRPC clients for the worker: the event store and the standard health service.</summary>
    public static IServiceCollection AddWorkerClients(this IServiceCollection services)
    {
        services.AddSingleton<WorkerCallMetrics>();
        services.AddGrpcClient<ProcessedEvents.ProcessedEventsClient>(ConfigureAddress)
            .ConfigureChannel(ConfigureChannel)
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            .AddHttpMessageHandler(static () => new TraceContextHandler())
            .AddInterceptor<WorkerCallMetrics>();
        services.AddGrpcClient<Grpc.Health.V1.Health.HealthClient>(ConfigureAddress)
            .ConfigureChannel(ConfigureChannel)
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            .AddHttpMessageHandler(static () => new TraceContextHandler())
            .AddInterceptor<WorkerCallMetrics>();
        services.AddWorkerCallPipeline();
        return services;
    }

    private static void ConfigureAddress(IServiceProvider services, Grpc.Net.ClientFactory.GrpcClientFactoryOptions client) =>
        client.Address = new Uri(services.GetRequiredService<IOptions<ProducerApiOptions>>().Value.WorkerGrpcUrl);

    private static void ConfigureChannel(Grpc.Net.Client.GrpcChannelOptions channel) =>
        // gRPC's own retry: a call that failed with Unavailable (the worker restarting, a connection reset)
        // is tried again with backoff; a stream only until its first message arrives.
        channel.ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 3,
                        InitialBackoff = TimeSpan.FromMilliseconds(100),
                        MaxBackoff = TimeSpan.FromSeconds(1),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        };

    private static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
    };
}
