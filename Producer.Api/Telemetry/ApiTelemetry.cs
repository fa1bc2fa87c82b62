using System.Diagnostics;

namespace Producer.Api.Telemetry;

/// <summary>The API's own meter and activity source, as the telemetry wiring registers them.</summary>
internal static class ApiTelemetry
{
    public const string Name = "Producer.Api";

    /// <summary>Publish spans: one per event sent to Kafka, a child of the POST's server span.</summary>
    public static ActivitySource Source { get; } = new(Name);
}
