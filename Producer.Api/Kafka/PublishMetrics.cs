using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Producer.Api.Telemetry;
using Shared.Hosting;
using Shared.Hosting.Telemetry;

namespace Producer.Api.Kafka;

/// <summary>
/// What became of each publish, and how long Kafka took to acknowledge it. The outcome counts are plain totals read
/// at scrape time, so every outcome shows from the start (0, not absent) and the per-event cost is one increment.
/// </summary>
internal sealed class PublishMetrics
{
    private readonly OutcomeCounts<PublishStatus> _totals = new("outcome", NameOf);
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?>[] _sendTags;
    private readonly string _topic;

    public PublishMetrics(IMeterFactory meters, IOptions<KafkaOptions> kafka)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(kafka);
        _topic = kafka.Value.Topic;
        var meter = meters.Create(ApiTelemetry.Name);
        meter.CreateObservableCounter(
            "useractivity.api.publishes",
            () => _totals.Observe(),
            unit: "{event}",
            description: "Events the API tried to publish, by outcome: acknowledged, failed, timed_out, or rejected while the circuit was open.");
        // The messaging semantic conventions' client operation duration: for a send, the time to the acknowledgement.
        _duration = meter.CreateHistogram(
            "messaging.client.operation.duration",
            unit: "s",
            description: "Time from handing an event to the Kafka producer to its acknowledgement (acks=all) or failure.",
            tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        _sendTags = MessagingTags.Operation("send", _topic);
    }

    public bool TimesPublishes => _duration.Enabled;

    /// <param name="status">The outcome.</param>
    /// <param name="elapsed">Time to the acknowledgement or failure; null when nothing was sent (rejected).</param>
    /// <param name="errorType">error.type of a failed send: "timeout" or librdkafka's error code.</param>
    public void Record(PublishStatus status, TimeSpan? elapsed, string? errorType = null)
    {
        _totals.Increment(status);
        if (elapsed is not { } duration || !_duration.Enabled)
        {
            return;
        }

        if (errorType is null)
        {
            _duration.Record(duration.TotalSeconds, _sendTags);
        }
        else
        {
            _duration.Record(duration.TotalSeconds, [.. _sendTags, new("error.type", errorType)]);
        }
    }

    public long Total(PublishStatus status) => _totals.Total(status);

    private static string NameOf(PublishStatus status) => status switch
    {
        PublishStatus.Acknowledged => "acknowledged",
        PublishStatus.Failed => "failed",
        PublishStatus.TimedOut => "timed_out",
        PublishStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

}
