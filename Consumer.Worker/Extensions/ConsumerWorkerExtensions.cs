using System.Net;
using Consumer.Worker.Consuming;
using Consumer.Worker.Grpc;
using Consumer.Worker.Health;
using Consumer.Worker.Options;
using Consumer.Worker.Store;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Shared.Hosting;
using Microsoft.Extensions.Options;
using Shared.Hosting.Health;
using Shared.Hosting.Telemetry;

namespace Consumer.Worker.Extensions;

public static class ConsumerWorkerExtensions
{
    public const string ServiceName = "consumer-worker";

    public static WebApplicationBuilder AddConsumerWorker(this WebApplicationBuilder builder)
    {
        builder.AddServiceLogging(ServiceName);
        builder.AddServiceTelemetry(ServiceName, meters: [WorkerTelemetry.Name], activitySources: [WorkerTelemetry.Name]);
        var configuration = builder.Configuration;
        // Every setting is checked before the host is built: a bad one stops the service with one line naming it,
        // not with the host's start-up error and its stack trace.
        configuration.ReadValidated<KafkaOptions>();
        var service = configuration.ReadValidated<ServiceOptions>();
        var worker = configuration.ReadValidated<WorkerOptions>();
        var address = IPAddress.Parse(service.BindAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC over HTTP/2 without TLS (h2c) on one port, plain HTTP/1.1 health probes on the other.
            kestrel.Listen(address, worker.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, worker.HealthPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var services = builder.Services;
        services.AddValidatedOptions<KafkaOptions>(configuration);
        services.AddValidatedOptions<WorkerOptions>(configuration);
        services.AddSingleton<IProcessedEventStore, ProcessedEventStore>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<EventMessageHandler>();
        services.AddSingleton<MessageProcessor>();
        services.AddDeadLetterPublishing();
        services.AddKafkaConsuming();
        services.AddGrpc();
        services.AddGrpcReflection();
        services.AddHealthChecks().AddCheck<ConsumerHealthCheck>("consumer", tags: [HealthEndpoints.ReadyTag]);
        // The standard gRPC health service answers SERVING only when the worker is ready, so the API's own
        // readiness follows the worker's.
        services.AddGrpcHealthChecks(o => o.Services.Map(string.Empty, r => r.Tags.Contains(HealthEndpoints.ReadyTag)));
        return builder;
    }

    public static WebApplication MapConsumerWorker(this WebApplication app)
    {
        app.MapGrpcService<ProcessedEventsGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapServiceHealth();
        // On the health port only: the gRPC port speaks HTTP/2 alone, and Prometheus scrapes over HTTP/1.1.
        app.MapServiceMetrics(app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort);
        return app;
    }
}
