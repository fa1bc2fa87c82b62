using System.Diagnostics;
using System.Globalization;
using Launcher;

namespace Bench.Phases;

/// <summary>
/// Consume and query at volume: a topic filled with the large store's events (1,000,000 in full mode), drained by a
/// bare Confluent.Kafka consumer and by 1, 2 and 3 workers in fresh groups; then the whole store listed through the
/// API. Also a small store (100,000) listed through the API, to show that the API's memory does not follow the count.
/// </summary>
internal sealed class DrainPhase(BenchSettings settings, Report report)
{
    private const string Large = "bench-drain-large";
    private const string Small = "bench-drain-small";
    private const string Empty = "bench-drain-empty";
    private readonly List<QueryRun> _queries = [];

    public async Task RunAsync()
    {
        // A join delay long enough that the workers started together share the first assignment.
        await using var cluster = BenchCluster.Start(GroupJoinDelay.ForSeveral);
        cluster.CreateTopic(Large, settings.DrainPartitions);
        cluster.CreateTopic(Small, settings.DrainPartitions);
        cluster.CreateTopic(Empty, settings.DrainPartitions);
        var jsonBytes = EventBytes();
        await Task.Run(() =>
        {
            KafkaReferences.Produce(cluster.BootstrapServers, Large, settings.LargeStore);
            KafkaReferences.Produce(cluster.BootstrapServers, Small, settings.SmallStore);
        });
        var logStart = cluster.LowestLogStart(Large, settings.DrainPartitions);
        report.Check(logStart == 0, $"the development broker's retention dropped the start of {Large} (a log start at {logStart}): add partitions");
        report.Check(cluster.EndOffsets(Large, settings.DrainPartitions) == settings.LargeStore, $"{Large} does not hold {settings.LargeStore} events");

        var idle = await cluster.StartWorkerAsync("idle", Empty, $"bench-idle-{Guid.NewGuid():N}");
        var idleResident = idle.Memory().Resident;
        await cluster.StopAsync(idle);

        var bare = new List<double>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            bare.Add(await Task.Run(() => KafkaReferences.Consume(cluster.BootstrapServers, Large, settings.LargeStore)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain run {run}: bare consumer {bare[^1]:0} events/s"));
        }

        var scaling = new List<string[]>();
        Sample? oneWorker = null;
        double perEvent = double.NaN;
        foreach (var count in settings.WorkerCounts)
        {
            var rates = new List<double>();
            var resident = new List<double>();
            for (var run = 1; run <= settings.Runs; run++)
            {
                var group = $"bench-drain-{count}-{Guid.NewGuid():N}";
                var workers = await Task.WhenAll(Enumerable.Range(1, count).Select(i => cluster.StartWorkerAsync($"worker{i}", Large, group, untilReady: false)));
                var profile = count == 1 && run == 1 ? Profiler.Start(workers[0].Process.ProcessId, "worker-drain", TimeSpan.FromSeconds(settings.Quick ? 2 : 6)) : Task.CompletedTask;
                var rate = await DrainRateAsync(cluster, workers, settings.LargeStore);
                await profile;
                rates.Add(rate);
                resident.AddRange(workers.Select(w => (double)w.Memory().Resident));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain run {run}: {count} worker(s) {rate:0} events/s, resident {resident.TakeLast(count).Average() / 1e6:0} MB each"));
                if (count == 1)
                {
                    perEvent = ((workers[0].Memory().Resident - idleResident) / (double)settings.LargeStore) - jsonBytes;
                }

                if (run == settings.Runs)
                {
                    await QueryAsync(cluster, "large", Large, group, workers, settings.LargeStore);
                }

                foreach (var worker in workers)
                {
                    await cluster.StopAsync(worker);
                }
            }

            var sample = new Sample(rates);
            oneWorker ??= sample;
            scaling.Add([
                count.ToString(CultureInfo.InvariantCulture), sample.Format("0"), (sample.Median / count).ToString("0", CultureInfo.InvariantCulture),
                (sample.Median / oneWorker.Median).ToString("0.00", CultureInfo.InvariantCulture), (sample.Median / new Sample(bare).Median).ToString("0.00", CultureInfo.InvariantCulture),
                new Sample(resident.Select(r => r / 1e6)).Format("0"),
            ]);
        }

        {
            var group = $"bench-small-{Guid.NewGuid():N}";
            var worker = await cluster.StartWorkerAsync("worker", Small, group, untilReady: false);
            await DrainRateAsync(cluster, [worker], settings.SmallStore);
            await QueryAsync(cluster, "small", Small, group, [worker], settings.SmallStore);
            await cluster.StopAsync(worker);
        }

        Summarize(new Sample(bare), scaling, oneWorker!, perEvent, jsonBytes);
    }

    /// <summary>Events per second from the first stored event to the last, from the workers' store gauges.</summary>
    private static async Task<double> DrainRateAsync(BenchCluster cluster, Service[] workers, long expected)
    {
        var deadline = Stopwatch.StartNew();
        Stopwatch? clock = null;
        long first = 0;
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var stored = await cluster.StoredAsync(workers);
            if (clock is null && stored > 0)
            {
                clock = Stopwatch.StartNew();
                first = stored;
            }

            if (stored >= expected)
            {
                return clock!.Elapsed > TimeSpan.Zero ? (expected - first) / clock.Elapsed.TotalSeconds : double.NaN;
            }

            // Each poll is a scrape of every worker's /metrics, which costs the workers; ten a second time a drain
            // of several seconds to about 1%.
            await Task.Delay(100);
        }

        throw new TimeoutException($"{workers.Length} worker(s) stored {await cluster.StoredAsync(workers)} of {expected} events within 5 minutes.");
    }

    private async Task QueryAsync(BenchCluster cluster, string store, string topic, string group, Service[] workers, long expected)
    {
        var api = await cluster.StartApiAsync(topic, group, workers, settings.ApiEnvironment);
        var before = api.Memory().Resident;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var (bytes, events, seconds) = await EventsApiReader.ReadAllAsync(http, $"{api.Url}/events/processed");
        report.Check(events == expected, $"GET /events/processed over {workers.Length} worker(s) listed {events} events, not {expected}");
        var run = new QueryRun(store, workers.Length, events, bytes, seconds, api.Memory().Peak, before, workers.Sum(w => w.Memory().Peak));
        _queries.Add(run);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"query {store} over {workers.Length} worker(s): {events} events, {bytes / 1e6:0} MB in {seconds:0.00} s, {run.MegabytesPerSecond:0} MB/s, API peak {run.ApiPeak / 1e6:0} MB"));
        await cluster.StopAsync(api);
    }

    private void Summarize(Sample bare, List<string[]> scaling, Sample oneWorker, double perEvent, double jsonBytes)
    {
        var toBare = oneWorker.Median / bare.Median;
        report.Section($"Consume: a topic of {settings.LargeStore:N0} events drained", $"""
            {settings.DrainPartitions} partitions (the log start offset checked to be 0 first); each drain a fresh consumer group, timed from the
            first event stored to the last. The bare consumer is Confluent.Kafka with nothing behind it: {bare.Format("0")} events/s.

            {Report.Table(["workers", "events/s (all)", "per worker", "vs 1 worker", "vs bare consumer", "resident MB per worker"], scaling)}
            Worker memory per stored event beyond its JSON ({jsonBytes:0} bytes): {perEvent:0} bytes (resident memory after the drain
            minus that of an idle worker, divided by the events, minus their JSON).
            """);
        report.Target("the worker drains a full topic at ≥ 0.7 of the bare consumer", toBare.ToString("0.00", CultureInfo.InvariantCulture), toBare >= 0.7);
        report.Target("≤ 300 bytes of worker memory per stored event beyond its JSON", perEvent.ToString("0", CultureInfo.InvariantCulture) + " bytes", perEvent <= 300);

        report.Section("Query: GET /events/processed of the whole store", Report.Table(
            ["store", "workers", "events", "MB", "time to last byte s", "MB/s", "API resident before MB", "API peak MB", "workers' peak MB"],
            _queries.Select(q => new[]
            {
                q.Store, q.Workers.ToString(CultureInfo.InvariantCulture), q.Events.ToString(CultureInfo.InvariantCulture), (q.Bytes / 1e6).ToString("0", CultureInfo.InvariantCulture),
                q.Seconds.ToString("0.00", CultureInfo.InvariantCulture), q.MegabytesPerSecond.ToString("0", CultureInfo.InvariantCulture),
                (q.ApiBefore / 1e6).ToString("0", CultureInfo.InvariantCulture), (q.ApiPeak / 1e6).ToString("0", CultureInfo.InvariantCulture), (q.WorkersPeak / 1e6).ToString("0", CultureInfo.InvariantCulture),
            })));
        var large = _queries.Where(q => q.Store == "large").ToList();
        var small = _queries.SingleOrDefault(q => q.Store == "small");
        if (large.Count > 0 && small is not null)
        {
            var speed = large.Min(q => q.MegabytesPerSecond);
            report.Target($"GET streams {settings.LargeStore:N0} events at ≥ 100 MB/s", speed.ToString("0", CultureInfo.InvariantCulture) + " MB/s (slowest worker count)", speed >= 100);
            // Flat: the API's peak grows by a small part of what the answer grows by (a buffered answer would grow by all of it).
            var growth = large.Max(q => q.ApiPeak) - small.ApiPeak;
            var answerGrowth = large.Max(q => q.Bytes) - small.Bytes;
            report.Target(
                "API memory does not grow with the count",
                string.Create(CultureInfo.InvariantCulture, $"peak {small.ApiPeak / 1e6:0} MB at {small.Events:N0} events, {large.Max(q => q.ApiPeak) / 1e6:0} MB at {settings.LargeStore:N0} ({answerGrowth / 1e6:0} MB more answer)"),
                growth < answerGrowth / 10);
        }
    }

    /// <summary>The average JSON size of the events in the topic.</summary>
    private static double EventBytes() => Enumerable.Range(0, 1000).Average(i => EventCorpus.Event(i).Json.Length);
}
