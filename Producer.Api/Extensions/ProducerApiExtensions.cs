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

namespace Producer.Api.Extensions;

public static class ProducerApiExtensions
{
    public const string ServiceName = "producer-api";

    public static WebApplicationBuilder AddProducerApi(this WebApplicationBuilder builder)
    {
        builder.AddServiceLogging(ServiceName);
        builder.AddServiceTelemetry(ServiceName, meters: [ApiTelemetry.Name], activitySources: [ApiTelemetry.Name]);
        var configuration = builder.Configuration;
        // Every setting is checked before the host is built: a bad one stops the service with one line naming it,
        // not with the host's start-up error and its stack trace.
        configuration.ReadValidated<KafkaOptions>();
        var service = configuration.ReadValidated<ServiceOptions>();
        var api = configuration.ReadValidated<ProducerApiOptions>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(service.BindAddress), api.Port));

        var services = builder.Services;
        services.AddValidatedOptions<KafkaOptions>(configuration);
        services.AddValidatedOptions<ProducerApiOptions>(configuration);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = static context =>
        {
            // Kestrel cuts off a body slower than its minimum rate with this exception, which would answer a bare
            // "Request Timeout": say why.
            if (context.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout })
            {
                context.ProblemDetails.Detail =
                    $"The body arrived slower than {RequestLimits.MinBodyRate.BytesPerSecond:0} bytes/s. Nothing was published.";
            }

            ApiProblems.ExplainUnsupportedMediaType(context);
        });
        services.AddRequestLimits();
        services.AddApiDocument();
        services.AddSingleton<CircuitStates>();
        services.AddHostedService<ConsumerGroupLag>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventFactory>();
        services.AddKafkaPublishing();
        services.AddSingleton<ITopicMetadata, KafkaTopicMetadata>();
        services.AddWorkerClients();
        services.AddHealthChecks()
            .AddCheck<KafkaHealthCheck>("kafka", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<WorkerHealthCheck>("worker", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    public static WebApplication MapProducerApi(this WebApplication app)
    {
        // Every error is problem+json; a request the server cannot read (truncated, too slow) keeps its own
        // 4xx status instead of becoming a 500.
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
