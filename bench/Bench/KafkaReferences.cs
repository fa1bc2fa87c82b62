using System.Diagnostics;
using Confluent.Kafka;

namespace Bench;

/// <summary>The Kafka-side references: a bare producer and a bare consumer, nothing between them and librdkafka.</summary>
internal static class KafkaReferences
{
    /// <summary>
    /// Produces <paramref name="count"/> events as fast as the client takes them and returns the acknowledged rate:
    /// the Kafka ceiling for ingest on this machine. Throws unless every event was acknowledged.
    /// </summary>
    public static double Produce(string bootstrapServers, string topic, int count)
    {
        var events = Enumerable.Range(0, count).Select(EventCorpus.Event).ToArray();
        using var producer = new ProducerBuilder<string, byte[]>(Producers.CeilingConfig(bootstrapServers))
            .SetLogHandler((_, _) => { })
            .Build();
        long acknowledged = 0;
        Error? failure = null;
        var stopwatch = Stopwatch.StartNew();
        ProduceAll(producer, topic, events, report =>
        {
            if (report.Error.IsError)
            {
                failure = report.Error;
            }
            else
            {
                Interlocked.Increment(ref acknowledged);
            }
        });

        producer.Flush(TimeSpan.FromMinutes(2));
        stopwatch.Stop();
        if (failure is not null || Interlocked.Read(ref acknowledged) != count)
        {
            throw new InvalidOperationException($"Raw produce: {acknowledged} of {count} acknowledged; {failure?.Reason}");
        }

        return count / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>Hands every event to the producer as fast as it takes them; a full queue waits for deliveries.</summary>
    public static void ProduceAll(
        IProducer<string, byte[]> producer,
        string topic,
        IEnumerable<(string Key, byte[] Json)> events,
        Action<DeliveryReport<string, byte[]>>? onDelivery = null)
    {
        foreach (var (key, json) in events)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<string, byte[]> { Key = key, Value = json }, onDelivery);
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The client's queue is the backpressure: wait for deliveries, then go on.
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
    }

    /// <summary>
    /// Drains <paramref name="count"/> messages from the start of <paramref name="topic"/> in a fresh group and returns
    /// the rate from the first message to the last: the ceiling for any worker.
    /// </summary>
    public static double Consume(string bootstrapServers, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"bench-bare-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        long bytes = 0;
        var consumed = 0;
        Stopwatch? stopwatch = null;
        while (consumed < count)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Bare consumer: {consumed} of {count} messages within 3 minutes.");
                }

                continue;
            }

            stopwatch ??= Stopwatch.StartNew();
            bytes += result.Message.Value?.Length ?? 0;
            consumed++;
        }

        GC.KeepAlive(bytes);
        consumer.Close();
        return (count - 1) / stopwatch!.Elapsed.TotalSeconds;
    }
}
