using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Shared.Hosting.Telemetry;

namespace Shared.Hosting.Kafka;

/// <summary>
/// A few of librdkafka's statistics as gauges, per Kafka client of the process: each broker's round trip, and how
/// many messages wait in the client's queue. librdkafka sends its statistics every <see cref="StatisticsIntervalMs"/>;
/// the gauges show the latest.
/// </summary>
public sealed class KafkaClientMetrics
{
    public const string MeterName = "UserActivity.Kafka";

    private readonly ConcurrentDictionary<string, ClientState> _clients = new(StringComparer.Ordinal);

    public KafkaClientMetrics(IMeterFactory meters, IOptions<TelemetryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(options);
        // Five seconds: a third of Prometheus's usual scrape interval. Building the statistics is not cheap for
        // librdkafka (it walks its latency histograms): at one second it took about 5% of the API's CPU under
        // load in a profile (bench/run, BENCHMARKS.md).
        StatisticsIntervalMs = options.Value.MetricsEnabled ? 5000 : 0;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            "useractivity.kafka.broker.rtt",
            ObserveRoundTrips,
            unit: "s",
            description: "Average round trip of requests to each Kafka broker over the last statistics interval, per client.");
        meter.CreateObservableGauge(
            "useractivity.kafka.client.queue.messages",
            ObserveQueues,
            unit: "{message}",
            description: "Messages in the Kafka client's queue: a producer's not yet acknowledged, a consumer's fetched and not yet consumed.");
    }

    /// <summary>librdkafka's statistics.interval.ms for every client: 0 (no statistics) while metrics are off.</summary>
    public int StatisticsIntervalMs { get; }

    /// <summary>Takes in one statistics object of the client named <paramref name="client"/> and returns what it said.</summary>
    public KafkaStatistics OnStatistics(string client, string json)
    {
        var statistics = KafkaStatistics.Parse(json);
        var state = _clients.GetOrAdd(client, static _ => new ClientState());
        lock (state)
        {
            state.Queued = statistics.QueuedMessages;
            // A broker that served no request in the interval keeps its last round trip rather than dropping out.
            foreach (var broker in statistics.Brokers)
            {
                state.RoundTrips[broker.Broker] = broker.Seconds;
            }
        }

        return statistics;
    }

    private IEnumerable<Measurement<double>> ObserveRoundTrips()
    {
        var measurements = new List<Measurement<double>>();
        foreach (var (client, state) in _clients)
        {
            lock (state)
            {
                foreach (var (broker, seconds) in state.RoundTrips)
                {
                    measurements.Add(new Measurement<double>(seconds, new("kafka.client", client), new("kafka.broker", broker)));
                }
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveQueues()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var (client, state) in _clients)
        {
            lock (state)
            {
                measurements.Add(new Measurement<long>(state.Queued, new KeyValuePair<string, object?>("kafka.client", client)));
            }
        }

        return measurements;
    }

    private sealed class ClientState
    {
        public long Queued { get; set; }

        public Dictionary<string, double> RoundTrips { get; } = new(StringComparer.Ordinal);
    }
}
