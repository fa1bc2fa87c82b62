using System.Net;
using Producer.Api.Http;
using Producer.Api.Ingest;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Producer.Api.Queries;
using Producer.Api.Telemetry;
using Producer.Api.Workers;
using Shared.Hosting;
using Shared.Hosting.Health;
using Shared.Hosting.Telemetry;

namespace Producer.Api;

/// <summary>The API's composition root: what it registers, concern by concern, the middleware in order, and its endpoints.</summary>
public static class Program
{
    public const string ServiceName = "producer-api";

    public static Task<int> Main(string[] args)
    {
        if (HealthProbe.IsRequested(args))
        {
            // The container's health check runs this binary again: it asks the running instance, and starts nothing.
            return ServiceHost.ProbeAsync(static settings => settings.ReadValidated<ProducerApiOptions>().Port);
        }

        // A start-up failure (a bad setting, a port taken) ends as one line naming it, and exit code 1.
        return ServiceHost.RunAsync(() => Build(WebApplication.CreateSlimBuilder(args)));
    }

    /// <summary>
    /// Registers the services and maps the endpoints (the deployment tests build the API through this too). Each
    /// registration reads and validates the settings it needs, so a bad one stops the API before the host is built.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceLogging(ServiceName);
        builder.AddServiceTelemetry(ServiceName, meters: [ApiTelemetry.Name], activitySources: [ApiTelemetry.Name]);
        var service = builder.AddValidatedOptions<ServiceOptions>();
        var api = builder.AddValidatedOptions<ProducerApiOptions>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(service.BindAddress), api.Port));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddApiProblemDetails();
        builder.Services.AddRequestLimits();
        builder.Services.AddApiDocument();
        builder.Services.AddHostedService<ConsumerGroupLag>();
        builder.Services.AddSingleton<EventFactory>();
        builder.AddKafkaPublishing();
        builder.AddWorkerQueries();
        builder.Services.AddHealthChecks()
            .AddCheck<KafkaHealthCheck>("kafka", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<WorkerHealthCheck>("worker", tags: [HealthEndpoints.ReadyTag]);

        var app = builder.Build();
        // Every error is problem+json; a request the server cannot read (truncated, too slow) keeps its own 4xx status
        // instead of becoming a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = static ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // After routing (which WebApplication puts first), since the timeout is chosen per endpoint.
        app.UseRequestTimeouts();
        app.MapApiDocument();
        app.MapIngest();
        app.MapBatchIngest();
        app.MapQueries();
        app.MapServiceHealth();
        app.MapServiceMetrics();
        return app;
    }
}
