#:package OpenTelemetry@1.20.1
#:property ManagePackageVersionsCentrally=false
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

// dotnet run -c Release bench/metric-recording-cost.cs
//
// The recordings one POST and its stored event add while metrics are on, with an OpenTelemetry MeterProvider listening
// as in the services: ASP.NET Core's request duration (6 tags) and active requests (+1, -1; 2 tags), the time to
// acknowledgement (4 tags), the worker's timestamp-to-stored delay (no tags). Single-threaded, best of 7 rounds: the
// per-event price of the metrics, to set against the CPU time a request costs (docs/observability.md).
using var meter = new Meter("bench");
var duration = meter.CreateHistogram<double>("http.server.request.duration", "s", null, null,
    new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
var active = meter.CreateUpDownCounter<long>("http.server.active_requests");
var send = meter.CreateHistogram<double>("messaging.client.operation.duration", "s", null, null,
    new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
var stored = meter.CreateHistogram<double>("useractivity.worker.stored.delay", "s");
KeyValuePair<string, object?>[] sendTags = [new("messaging.system", "kafka"), new("messaging.operation.name", "send"), new("messaging.operation.type", "send"), new("messaging.destination.name", "user-activity-events")];

void OneEvent(int i)
{
    active.Add(1, new KeyValuePair<string, object?>("http.request.method", "POST"), new KeyValuePair<string, object?>("url.scheme", "http"));
    send.Record(0.001 + (i & 7) * 0.0003, sendTags);
    var tags = new TagList { { "http.request.method", "POST" }, { "url.scheme", "http" }, { "http.route", "/events/generate" }, { "http.response.status_code", 201 }, { "network.protocol.version", "1.1" } };
    duration.Record(0.002 + (i & 7) * 0.0003, tags);
    active.Add(-1, new KeyValuePair<string, object?>("http.request.method", "POST"), new KeyValuePair<string, object?>("url.scheme", "http"));
    stored.Record(0.01 + (i & 7) * 0.001);
}

double Measure(int n)
{
    var best = double.MaxValue;
    for (var rep = 0; rep < 7; rep++)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) OneEvent(i);
        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / n);
    }
    return best;
}

var off = Measure(2_000_000);
using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter("bench").AddReader(new BaseExportingMetricReader(new NoExport())).Build())
{
    Measure(200_000);
    var on = Measure(2_000_000);
    Console.WriteLine($"per event, no listener: {off:F0} ns; with the OpenTelemetry MeterProvider: {on:F0} ns");
}

sealed class NoExport : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
}
