using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Shared.Hosting.Kafka;

namespace Shared.Hosting.Telemetry;

/// <summary>
/// The OpenTelemetry wiring both services share: metrics for Prometheus at /metrics, traces that follow a request
/// across HTTP, Kafka and gRPC, exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT says where.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>Where Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>ASP.NET Core's own HTTP server metrics (http.server.request.duration by route and status).</summary>
    private const string AspNetCoreHostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>The runtime's built-in meter (.NET 9+): GC, CPU time, thread pool, exceptions.</summary>
    private const string RuntimeMeter = "System.Runtime";

    /// <summary>grpc-dotnet's client activity: one span per call to the worker, with its gRPC status.</summary>
    private const string GrpcClientSource = "Grpc.Net.Client";

    /// <summary>OpenTelemetry's standard sampler variables, which the SDK reads itself.</summary>
    public const string SamplerVariable = "OTEL_TRACES_SAMPLER";

    /// <inheritdoc cref="SamplerVariable"/>
    public const string SamplerArgumentVariable = "OTEL_TRACES_SAMPLER_ARG";

    /// <summary>
    /// The share of traces that start here (no sampled parent) that are recorded when OTEL_TRACES_SAMPLER is unset.
    /// A recorded span costs the API about as much as the rest of a request's own work (bench/ablation, BENCHMARKS.md);
    /// one in ten keeps every route and error visible under load at a tenth of that.
    /// </summary>
    public const double DefaultSampleRatio = 0.1;

    /// <param name="builder">The service's builder.</param>
    /// <param name="serviceName">service.name on every span and metric (target_info).</param>
    /// <param name="meters">The service's own meters.</param>
    /// <param name="activitySources">The service's own activity sources.</param>
    public static WebApplicationBuilder AddServiceTelemetry(
        this WebApplicationBuilder builder, string serviceName, string[] meters, string[] activitySources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.AddValidatedOptions<TelemetryOptions>();
        DefaultSampler(builder.Configuration);
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton<KafkaClientMetrics>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddServiceIdentity(serviceName))
            // Spans exist whether or not they are exported: the logs carry their ids, and the propagated context
            // lets a downstream service that does export continue the trace.
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(activitySources)
                    .AddSource(GrpcClientSource)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = static context => IsTraced(context.Request.Path));
                if (options.ExportsTraces)
                {
                    tracing.AddOtlpExporter();
                }
            });
        if (options.MetricsEnabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(meters)
                    .AddMeter(KafkaClientMetrics.MeterName, AspNetCoreHostingMeter, RuntimeMeter)
                    .AddPrometheusExporter();
                // Where traces go over OTLP (an Aspire dashboard, a collector), the metrics go too; Prometheus
                // still scrapes /metrics either way.
                if (options.ExportsTraces)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        return builder;
    }

    /// <summary>
    /// /metrics in the Prometheus text format, when metrics are enabled. <paramref name="port"/> limits it to one of
    /// the service's ports (the worker's health port, not its gRPC port).
    /// </summary>
    public static WebApplication MapServiceMetrics(this WebApplication app, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsEnabled)
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (port is { } only)
        {
            endpoint.RequireHost($"*:{only}");
        }

        endpoint.ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Unless OTEL_TRACES_SAMPLER says otherwise, parentbased_traceidratio at <see cref="DefaultSampleRatio"/> (or at
    /// OTEL_TRACES_SAMPLER_ARG when only that is set): a request whose caller sent a sampled traceparent is traced end
    /// to end, and of the others a share. Set as the SDK's own variables, so that the SDK parses and applies them as it
    /// would the operator's. An unsampled request still has a trace id (in its log lines and in every Kafka message it
    /// produces), so the worker's spans follow the same decision.
    /// </summary>
    private static void DefaultSampler(ConfigurationManager configuration)
    {
        if (!string.IsNullOrEmpty(configuration[SamplerVariable]))
        {
            return;
        }

        configuration.AddInMemoryCollection(new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [SamplerVariable] = "parentbased_traceidratio",
            [SamplerArgumentVariable] = configuration[SamplerArgumentVariable] is { Length: > 0 } ratio
                ? ratio
                : DefaultSampleRatio.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Probes and scrapes come every few seconds and say nothing about the traffic; they get no span.</summary>
    private static bool IsTraced(PathString path) =>
        !path.StartsWithSegments(MetricsPath, StringComparison.Ordinal) &&
        !path.StartsWithSegments("/health", StringComparison.Ordinal);

    /// <summary>Sets the span's status to error with the error.type attribute of the semantic conventions.</summary>
    public static void SetError(this Activity activity, string errorType, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(activity);
        activity.SetTag("error.type", errorType);
        activity.SetStatus(ActivityStatusCode.Error, description);
    }
}
