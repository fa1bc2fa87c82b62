using System.Text.Json;

namespace Shared.Hosting.Kafka;

/// <summary>
/// The few figures this service takes from librdkafka's statistics (STATISTICS.md in librdkafka): a JSON object
/// of several kilobytes every interval, of which everything else is dropped.
/// </summary>
public sealed record KafkaStatistics(long QueuedMessages, IReadOnlyList<BrokerRoundTrip> Brokers, IReadOnlyList<PartitionOffsets> Partitions)
{
    private const double MicrosecondsPerSecond = 1_000_000;

    /// <summary>
    /// Queue depth is the producer's msg_cnt (messages waiting for delivery or acknowledgement), or for a consumer the
    /// messages fetched ahead and not yet consumed. A broker's round trip is given only when it served requests in
    /// the interval; librdkafka's logical brokers (the group coordinator's alias, say) are left out.
    /// </summary>
    public static KafkaStatistics Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var isConsumer = root.TryGetProperty("type", out var type) && type.ValueEquals("consumer");

        var brokers = new List<BrokerRoundTrip>();
        if (root.TryGetProperty("brokers", out var brokerList))
        {
            foreach (var broker in brokerList.EnumerateObject())
            {
                var value = broker.Value;
                if (Long(value, "nodeid") < 0 || String(value, "source") is "logical" or "internal" ||
                    !value.TryGetProperty("rtt", out var rtt) || Long(rtt, "cnt") <= 0)
                {
                    continue;
                }

                brokers.Add(new BrokerRoundTrip(broker.Name, Long(rtt, "avg") / MicrosecondsPerSecond));
            }
        }

        var partitions = new List<PartitionOffsets>();
        long fetched = 0;
        if (root.TryGetProperty("topics", out var topics))
        {
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var parts))
                {
                    continue;
                }

                foreach (var part in parts.EnumerateObject())
                {
                    var p = part.Value;
                    var id = (int)Long(p, "partition");
                    if (id < 0)
                    {
                        continue; // The unassigned-messages pseudo-partition (-1).
                    }

                    fetched += Math.Max(0, Long(p, "fetchq_cnt"));
                    partitions.Add(new PartitionOffsets(
                        topic.Name, id, Long(p, "hi_offset"), Long(p, "lo_offset"), Long(p, "committed_offset"), Long(p, "stored_offset")));
                }
            }
        }

        var queued = isConsumer ? fetched : Math.Max(0, Long(root, "msg_cnt"));
        return new KafkaStatistics(queued, brokers, partitions);
    }

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : -1;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
