using System.Net;
using Consumer.Worker.Consuming;
using Consumer.Worker.Grpc;
using Consumer.Worker.Health;
using Consumer.Worker.Options;
using Consumer.Worker.Store;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Shared.Hosting;
using Shared.Hosting.Health;
using Shared.Hosting.Telemetry;

namespace Consumer.Worker;

/// <summary>The worker's composition root: what it registers, concern by concern, and what it serves on which port.</summary>
public static class Program
{
    public const string ServiceName = "consumer-worker";

    public static Task<int> Main(string[] args)
    {
        if (HealthProbe.IsRequested(args))
        {
            // The container's health check runs this binary again: it asks the running instance, and starts nothing.
            return ServiceHost.ProbeAsync(static settings => settings.ReadValidated<WorkerOptions>().HealthPort);
        }

        // A start-up failure (a bad setting, a port taken) ends as one line naming it, and exit code 1.
        return ServiceHost.RunAsync(() => Build(WebApplication.CreateSlimBuilder(args)));
    }

    /// <summary>
    /// Registers the services and maps the endpoints (the deployment tests build the worker through this too). Each
    /// registration reads and validates the settings it needs, so a bad one stops the worker before the host is built.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceLogging(ServiceName);
        builder.AddServiceTelemetry(ServiceName, meters: [WorkerTelemetry.Name], activitySources: [WorkerTelemetry.Name]);
        var service = builder.AddValidatedOptions<ServiceOptions>();
        var worker = builder.AddValidatedOptions<WorkerOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC over HTTP/2 without TLS (h2c) on one port, plain HTTP/1.1 health probes on the other.
            kestrel.Listen(IPAddress.Parse(service.BindAddress), worker.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Parse(service.BindAddress), worker.HealthPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IProcessedEventStore, ProcessedEventStore>();
        builder.AddDeadLetterPublishing();
        builder.AddKafkaConsuming();
        builder.Services.AddSingleton<ReadWaitMetrics>();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddHealthChecks().AddCheck<ConsumerHealthCheck>("consumer", tags: [HealthEndpoints.ReadyTag]);
        // The standard gRPC health service answers SERVING only when the worker is ready, so the API's own
        // readiness follows the worker's.
        builder.Services.AddGrpcHealthChecks(o => o.Services.Map(string.Empty, r => r.Tags.Contains(HealthEndpoints.ReadyTag)));

        var app = builder.Build();
        app.MapGrpcService<ProcessedEventsGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapServiceHealth();
        // On the health port only: the gRPC port speaks HTTP/2 alone, and Prometheus scrapes over HTTP/1.1.
        app.MapServiceMetrics(app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort);
        return app;
    }
}
