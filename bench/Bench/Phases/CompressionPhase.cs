using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Bench.Phases;

/// <summary>
/// The producer's compression, chosen on measurement: for each codec, the raw produce rate with the API's settings,
/// and how many events one partition of the development broker keeps (it drops batches beyond 5 MiB), which is what
/// bounds every volume test and a worker's rebuild here. Kafka's disk and network bytes follow the same ratio.
/// </summary>
internal sealed class CompressionPhase(BenchSettings settings, Report report)
{
    private static readonly CompressionType[] Codecs = [CompressionType.None, CompressionType.Lz4, CompressionType.Zstd, CompressionType.Snappy, CompressionType.Gzip];

    public async Task RunAsync()
    {
        var events = settings.Quick ? 40_000 : 200_000;
        var corpus = Enumerable.Range(0, events).Select(EventCorpus.Event).ToArray();
        var rows = new List<string[]>();
        foreach (var codec in Codecs)
        {
            var rates = new List<double>();
            long kept = 0;
            for (var run = 1; run <= settings.Runs; run++)
            {
                await using var cluster = BenchCluster.Start();
                var topic = $"bench-compression-{run}";
                cluster.CreateTopic(topic, 1);
                rates.Add(await Task.Run(() => Produce(cluster.BootstrapServers, topic, codec, corpus)));
                kept = cluster.EndOffsets(topic, 1) - cluster.LowestLogStart(topic, 1);
            }

            var rate = new Sample(rates);
            rows.Add([codec.ToString().ToLowerInvariant(), rate.Format("0"), kept.ToString("N0", CultureInfo.InvariantCulture)]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compression {codec}: {rate.Median:0} events/s, one partition keeps {kept} events"));
        }

        report.Section("Compression (the producer's codec)", $"""
            {events:N0} events of about 200 bytes into one partition, a fresh broker per run, the API's producer settings
            with linger 5 ms. "Kept" is how many of them the development broker's 5 MiB per partition still holds.

            {Report.Table(["codec", "produce events/s", "kept of " + events.ToString("N0", CultureInfo.InvariantCulture)], rows)}
            """);
    }

    private static double Produce(string bootstrapServers, string topic, CompressionType codec, (string Key, byte[] Json)[] corpus)
    {
        var config = Producers.CeilingConfig(bootstrapServers);
        config.CompressionType = codec;
        using var producer = new ProducerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var stopwatch = Stopwatch.StartNew();
        KafkaReferences.ProduceAll(producer, topic, corpus);
        producer.Flush(TimeSpan.FromMinutes(1));
        return corpus.Length / stopwatch.Elapsed.TotalSeconds;
    }
}
