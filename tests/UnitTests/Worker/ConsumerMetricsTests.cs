using System.Diagnostics.Metrics;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Shared.Hosting;
using Shared.Hosting.Kafka;
using Shared.Hosting.Telemetry;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace UnitTests.Worker;

/// <summary>
/// The rebalances metric tells an operator how often a worker's share of the partitions changed, and a lost partition
/// (no clean revocation, nothing committed) apart from a revoked one: each kind of change has its own series, from 0.
/// </summary>
public sealed class ConsumerMetricsTests
{
    [Fact]
    public void Rebalances_are_counted_by_change_and_every_change_shows_from_zero()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var serving = new ServingState();
        var metrics = new ConsumerMetrics(
            meters,
            MsOptions.Create(new KafkaOptions { Topic = "events" }),
            new ProcessedEventStore(),
            serving,
            new KafkaClientMetrics(meters, MsOptions.Create(new TelemetryOptions())));
        var observed = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meters: other tests create meters of the same name at the same time.
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "useractivity.worker.rebalances")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => observed[(string)tags[0].Value!] = value);
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Equal(new Dictionary<string, long> { ["assigned"] = 0, ["revoked"] = 0, ["lost"] = 0 }, observed);

        metrics.Assigned();
        metrics.Assigned();
        metrics.Revoked([0], lost: false);
        metrics.Revoked([1, 2], lost: true);
        metrics.Assigned();
        listener.RecordObservableInstruments();

        Assert.Equal(new Dictionary<string, long> { ["assigned"] = 3, ["revoked"] = 1, ["lost"] = 1 }, observed);
    }
}
