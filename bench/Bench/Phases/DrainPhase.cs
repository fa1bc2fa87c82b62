using System.Diagnostics;
using System.Globalization;
using Launcher;

namespace Bench.Phases;

/// <summary>
/// Consume and query at volume: a topic filled with the large store's events (1,000,000 in full mode), drained by a
/// bare Confluent.Kafka consumer and by 1, 2 and 3 workers in fresh groups; then the whole store listed through the
/// API. Also a small store (100,000) listed through the API, to show that the API's memory does not follow the count.
/// With --worker-variant, other builds of the worker drain the same topic in the same runs, interleaved with the
/// worker as built, so that a redesign of the worker is priced against the build before it.
/// </summary>
internal sealed class DrainPhase(BenchSettings settings, Report report)
{
    private const string Large = "bench-drain-large";
    private const string Small = "bench-drain-small";
    private const string Empty = "bench-drain-empty";
    /// <summary>The worker as built, as the figures beside its other builds name it.</summary>
    private const string Built = "worker";
    private readonly List<QueryRun> _queries = [];

    /// <summary>The worker as built, then any other builds of it (--worker-variant): each drains the topic in every run.</summary>
    private string[] Builds => [Built, .. settings.WorkerVariants.Keys];

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

        // Each build's idle memory: what its memory per stored event is measured against.
        var idleResident = new Dictionary<string, long>();
        foreach (var build in Builds)
        {
            var variant = settings.WorkerVariants.GetValueOrDefault(build);
            var idle = await cluster.StartWorkerAsync("idle", Empty, $"bench-idle-{Guid.NewGuid():N}", overrides: variant?.Environment, assembly: variant?.Assembly);
            idleResident[build] = idle.Memory().Resident;
            await cluster.StopAsync(idle);
        }

        var bare = new List<double>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            bare.Add(await Task.Run(() => KafkaReferences.Consume(cluster.BootstrapServers, Large, settings.LargeStore)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain run {run}: bare consumer {bare[^1]:0} events/s"));
        }

        var drains = new List<DrainRun>();
        var perEvent = new Dictionary<string, double>();
        // Counted over every worker count, so that the builds' order changes from drain to drain even with --runs 1.
        var turn = 0;
        foreach (var count in settings.WorkerCounts)
        {
            for (var run = 1; run <= settings.Runs; run++)
            {
                foreach (var build in Rotation.Of(Builds, ++turn))
                {
                    var group = $"bench-drain-{count}-{Guid.NewGuid():N}";
                    var variant = settings.WorkerVariants.GetValueOrDefault(build);
                    var workers = await Task.WhenAll(Enumerable.Range(1, count).Select(i => cluster.StartWorkerAsync($"worker{i}", Large, group, untilReady: false, overrides: variant?.Environment, assembly: variant?.Assembly)));
                    var profile = build == Built && count == 1 && run == 1 ? Profiler.Start(workers[0].Process.ProcessId, "worker-drain", TimeSpan.FromSeconds(settings.Quick ? 2 : 6)) : Task.CompletedTask;
                    var (rate, cpu) = await DrainRateAsync(cluster, workers, settings.LargeStore);
                    await profile;
                    var resident = workers.Select(w => (double)w.Memory().Resident).ToArray();
                    // Above 1, messages were read twice: a partition that moved between workers mid-drain is read back.
                    var reads = await cluster.MetricAsync(workers, "messaging_client_consumed_messages_total") / settings.LargeStore;
                    var rebalances = await cluster.MetricAsync(workers, "useractivity_worker_rebalances_total");
                    drains.Add(new DrainRun(build, count, run, rate, cpu, resident));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain run {run}: {build} ×{count} {rate:0} events/s, {cpu:0.0} µs CPU per event, {reads:0.00} reads per event, {rebalances} partition changes, resident {resident.Average() / 1e6:0} MB each"));
                    if (count == 1)
                    {
                        perEvent[build] = ((workers[0].Memory().Resident - idleResident[build]) / (double)settings.LargeStore) - jsonBytes;
                    }

                    if (run == settings.Runs && build == Built)
                    {
                        await QueryAsync(cluster, "large", Large, group, workers, settings.LargeStore);
                    }

                    foreach (var worker in workers)
                    {
                        await cluster.StopAsync(worker);
                    }
                }
            }
        }

        {
            var group = $"bench-small-{Guid.NewGuid():N}";
            var worker = await cluster.StartWorkerAsync("worker", Small, group, untilReady: false);
            await DrainRateAsync(cluster, [worker], settings.SmallStore);
            await QueryAsync(cluster, "small", Small, group, [worker], settings.SmallStore);
            await cluster.StopAsync(worker);
        }

        Summarize(new Sample(bare), drains, perEvent.GetValueOrDefault(Built, double.NaN), jsonBytes);
        SummarizeVariants(new Sample(bare), drains, perEvent, jsonBytes);
    }

    /// <summary>
    /// Events per second from the first stored event to the last, from the workers' store gauges, and the CPU time the
    /// workers spent per event over the same span: what a drain costs whatever else shares the cores.
    /// </summary>
    private static async Task<(double EventsPerSecond, double CpuMicrosecondsPerEvent)> DrainRateAsync(BenchCluster cluster, Service[] workers, long expected)
    {
        var deadline = Stopwatch.StartNew();
        Stopwatch? clock = null;
        long first = 0;
        var cpuAtFirst = TimeSpan.Zero;
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var stored = await cluster.StoredAsync(workers);
            if (clock is null && stored > 0)
            {
                clock = Stopwatch.StartNew();
                first = stored;
                cpuAtFirst = WorkersCpu(workers);
            }

            if (stored >= expected)
            {
                var events = expected - first;
                return clock!.Elapsed > TimeSpan.Zero && events > 0
                    ? (events / clock.Elapsed.TotalSeconds, (WorkersCpu(workers) - cpuAtFirst).TotalMicroseconds / events)
                    : (double.NaN, double.NaN);
            }

            // Each poll is a scrape of every worker's /metrics, which costs the workers; ten a second time a drain
            // of several seconds to about 1%.
            await Task.Delay(100);
        }

        throw new TimeoutException($"{workers.Length} worker(s) stored {await cluster.StoredAsync(workers)} of {expected} events within 5 minutes.");
    }

    private static TimeSpan WorkersCpu(Service[] workers) =>
        workers.Aggregate(TimeSpan.Zero, (sum, worker) => sum + ProcessStats.CpuTime(worker.Process.ProcessId));

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

    private void Summarize(Sample bare, List<DrainRun> drains, double perEvent, double jsonBytes)
    {
        var scaling = settings.WorkerCounts.Select(count => Scaling(Built, count, drains, bare).Prepend(count.ToString(CultureInfo.InvariantCulture)).ToArray());
        var toBare = Rates(drains, Built, settings.WorkerCounts[0]).Median / bare.Median;
        report.Section($"Consume: a topic of {settings.LargeStore:N0} events drained", $"""
            {settings.DrainPartitions} partitions (the log start offset checked to be 0 first); each drain a fresh consumer group, timed from the
            first event stored to the last. The bare consumer is Confluent.Kafka with nothing behind it: {bare.Format("0")} events/s.

            {Report.Table(["workers", "events/s (all)", "per worker", "vs 1 worker", "vs bare consumer", "workers' CPU µs per event", "resident MB per worker"], scaling)}
            Worker memory per stored event beyond its JSON ({jsonBytes:0} bytes): {perEvent:0} bytes (resident memory after the drain
            minus that of an idle worker, divided by the events, minus their JSON).
            """);
        if (settings.WorkerCounts[0] == 1)
        {
            // Both targets are of one worker.
            report.Target("the worker drains a full topic at ≥ 0.7 of the bare consumer", toBare.ToString("0.00", CultureInfo.InvariantCulture), toBare >= 0.7);
            report.Target("≤ 300 bytes of worker memory per stored event beyond its JSON", perEvent.ToString("0", CultureInfo.InvariantCulture) + " bytes", perEvent <= 300);
        }

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

    /// <summary>
    /// With --worker-variant: each other build of the worker beside the worker as built, drained in the same runs. "vs
    /// worker as built" is run by run, so that drift in the machine's load between runs cancels out of it.
    /// </summary>
    private void SummarizeVariants(Sample bare, List<DrainRun> drains, Dictionary<string, double> perEvent, double jsonBytes)
    {
        if (settings.WorkerVariants.Count == 0)
        {
            return;
        }

        var rows = new List<string[]>();
        foreach (var count in settings.WorkerCounts)
        {
            foreach (var build in Builds)
            {
                var runs = drains.Where(d => d.Build == build && d.Workers == count)
                    .Select(d => (Drain: d, Built: drains.Single(b => b.Build == Built && b.Workers == count && b.Run == d.Run))).ToList();
                var toBuilt = new Sample(runs.Select(r => r.Drain.EventsPerSecond / r.Built.EventsPerSecond));
                var cpuToBuilt = new Sample(runs.Select(r => r.Drain.CpuMicrosecondsPerEvent / r.Built.CpuMicrosecondsPerEvent));
                rows.Add([
                    build, count.ToString(CultureInfo.InvariantCulture), .. Scaling(build, count, drains, bare), toBuilt.Format("0.00"), cpuToBuilt.Format("0.00"),
                    count == 1 && perEvent.TryGetValue(build, out var bytes) ? bytes.ToString("0", CultureInfo.InvariantCulture) : "—",
                ]);
            }
        }

        report.Section("Consume: other builds of the worker drained beside it", $"""
            Each build (--worker-variant NAME=PATH, --worker-variant-env NAME=K=V: {string.Join(", ", settings.WorkerVariants.Select(v => $"{v.Key} = {v.Value}"))}) drains the same
            topic as the worker as built (`{Built}`), in the same runs, each drain a fresh consumer group; the order rotates from run to run so
            that no build always drains last. "vs worker as built" is a build's events/s over the worker as built's in the same run and
            worker count (1.00: no change); "CPU vs worker as built" the same for the workers' CPU time per event. Memory per stored event is beyond its JSON ({jsonBytes:0} bytes), with one worker, against an
            idle worker of the same build.

            {Report.Table(["build", "workers", "events/s (all)", "per worker", "vs 1 worker", "vs bare consumer", "workers' CPU µs per event", "resident MB per worker", "vs worker as built", "CPU vs worker as built", "bytes per stored event"], rows)}
            """);
    }

    /// <summary>
    /// A build's figures at one worker count: events/s (all), per worker, over its own first count, over the bare
    /// consumer, and resident memory per worker.
    /// </summary>
    private string[] Scaling(string build, int count, List<DrainRun> drains, Sample bare)
    {
        var sample = Rates(drains, build, count);
        return [
            sample.Format("0"), (sample.Median / count).ToString("0", CultureInfo.InvariantCulture),
            (sample.Median / Rates(drains, build, settings.WorkerCounts[0]).Median).ToString("0.00", CultureInfo.InvariantCulture),
            (sample.Median / bare.Median).ToString("0.00", CultureInfo.InvariantCulture),
            new Sample(drains.Where(d => d.Build == build && d.Workers == count).Select(d => d.CpuMicrosecondsPerEvent)).Format("0.0"),
            new Sample(drains.Where(d => d.Build == build && d.Workers == count).SelectMany(d => d.ResidentBytes).Select(r => r / 1e6)).Format("0"),
        ];
    }

    private static Sample Rates(List<DrainRun> drains, string build, int count) =>
        new(drains.Where(d => d.Build == build && d.Workers == count).Select(d => d.EventsPerSecond));

    /// <summary>The average JSON size of the events in the topic.</summary>
    private static double EventBytes() => Enumerable.Range(0, 1000).Average(i => EventCorpus.Event(i).Json.Length);
}
