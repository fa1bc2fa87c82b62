using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Shared.Hosting.Telemetry;

/// <summary>What a service measures and where its traces go. Each property is bound from the variable it names.</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// false turns the meters' listener, the /metrics endpoint and librdkafka's statistics off: the switch that the
    /// metrics-cost benchmark flips. Traces and their ids in the logs stay on either way.
    /// </summary>
    [ConfigurationKeyName("METRICS_ENABLED")]
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>
    /// The standard OpenTelemetry variable, read here only to decide whether traces are exported at all: empty means
    /// nothing leaves the process. The OTLP exporter reads it (and OTEL_EXPORTER_OTLP_PROTOCOL and the rest) itself.
    /// </summary>
    [ConfigurationKeyName("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [RegularExpression(@"^(https?://\S+)?$",
        ErrorMessage = "OTEL_EXPORTER_OTLP_ENDPOINT must be empty (no export) or an http:// or https:// URL, such as http://jaeger:4317.")]
    public string OtlpEndpoint { get; set; } = string.Empty;

    public bool ExportsTraces => OtlpEndpoint.Length > 0;
}
