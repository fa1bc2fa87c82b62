using System.Diagnostics;

namespace Consumer.Worker.Consuming;

/// <summary>The worker's own meter and activity source, as the telemetry wiring registers them.</summary>
public static class WorkerTelemetry
{
    public const string Name = "Consumer.Worker";

    /// <summary>Processing spans: one per message processed (not per message rebuilt), in the trace of the POST that produced it.</summary>
    public static ActivitySource Source { get; } = new(Name);
}
