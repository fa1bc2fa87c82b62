using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Shared.Hosting.Logging;
using Shared.Hosting.Telemetry;

namespace Shared.Hosting;

public static class ServiceLogging
{
    /// <summary>
    /// Serilog on stdout, configured from LOG_LEVEL and LOG_FORMAT (<see cref="TextLineFormatter"/> or compact JSON).
    /// A line written inside a span carries its trace and span ids: Serilog takes them from Activity.Current; JSON has
    /// them as @tr and @sp, text as "trace=... span=..." at the end of the line.
    /// </summary>
    public static WebApplicationBuilder AddServiceLogging(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.AddValidatedOptions<ServiceOptions>();
        var telemetry = builder.AddValidatedOptions<TelemetryOptions>();
        var level = Enum.Parse<LogEventLevel>(options.LogLevel);
        builder.Services.AddSerilog(
            logger =>
        {
            logger.MinimumLevel.Is(level)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Extensions.Http", LogEventLevel.Warning)
                .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
                // Polly reports every pipeline execution at Information, and HttpClient every request: per request
                // noise that costs time on the hot path; their warnings and errors still come through.
                .MinimumLevel.Override("Polly", LogEventLevel.Warning)
                .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .Enrich.FromLogContext();
            if (options.LogFormat == "json")
            {
                // A JSON line names its service; a text line is read where its service is known, and OTLP carries
                // the service in its resource.
                logger.Enrich.WithProperty("Service", serviceName);
            }

            // The worker logs every event it stores: the sink formats and writes off the caller's thread, a burst's
            // lines in one write, and makes a caller wait rather than drop a line when standard output falls behind.
            logger.WriteTo.Sink(new StandardOutputSink(
                options.LogFormat == "json" ? new RenderedCompactJsonFormatter() : new TextLineFormatter(),
                Console.OpenStandardOutput()));

            // Where traces go over OTLP (an Aspire dashboard, a collector), the log events go too, with their message
            // template, properties and trace and span ids: the console keeps its lines, the OTLP endpoint gets each
            // event once. The sink batches on its own thread, so the consume loop never waits for the network.
            if (telemetry.ExportsTraces)
            {
                logger.WriteTo.OpenTelemetry(
                    otlp => otlp.ResourceAttributes = ServiceResource.Attributes(serviceName),
                    OtlpSettingOtherThanResource);
            }
        },
            preserveStaticLogger: true);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(
            host => host.ShutdownTimeout = TimeSpan.FromMilliseconds(options.ShutdownTimeoutMs));
        return builder;
    }

    /// <summary>
    /// The OTLP exporter's variables (endpoint, protocol, headers) for the sink, but not the resource's: those are read
    /// once, by <see cref="ServiceResource"/>, so that logs name the same service and instance as traces and metrics
    /// (the sink would otherwise let OTEL_SERVICE_NAME, which Aspire sets to the resource's name, rename the service).
    /// </summary>
    private static string? OtlpSettingOtherThanResource(string variable) =>
        variable is "OTEL_SERVICE_NAME" or "OTEL_RESOURCE_ATTRIBUTES" ? null : Environment.GetEnvironmentVariable(variable);
}
