using System.Diagnostics;
using System.Globalization;

namespace Bench.Phases;

/// <summary>
/// Ingest: a closed loop of single-event POSTs with wrk, against the API and the two reference hosts, each in a fresh
/// stack (broker, one worker consuming as deployed, the host) so that no run inherits another's topic or store.
/// Hosts are interleaved within each run so that drift in the machine's load hits them alike, in an order rotated run by
/// run (<see cref="Rotation"/>). Also the raw produce ceiling, once per run.
/// </summary>
internal sealed class IngestPhase(BenchSettings settings, Report report, string repositoryRoot)
{
    private const string Topic = "bench-ingest";
    private static readonly string[] References = ["echo", "kafka-http"];

    /// <summary>The references, the API as built, then any other builds of it (--api-variant): interleaved in every run.</summary>
    private string[] Hosts => [.. References, "api", .. settings.ApiVariants.Keys];

    public List<double> Ceiling { get; } = [];

    public async Task RunAsync()
    {
        var script = Path.Combine(repositoryRoot, "bench", "wrk", "post-event.lua");
        var runs = new List<IngestRun>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            Ceiling.Add(await MeasureCeilingAsync(settings, settings.RawEvents));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest run {run}: raw produce {Ceiling[^1]:0} events/s"));
            foreach (var connections in settings.Connections)
            {
                foreach (var host in Rotation.Of(Hosts, run))
                {
                    var result = await MeasureAsync(host, connections, run, script);
                    runs.Add(result);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"ingest run {run}: {host,-10} c={connections,-3} {result.Wrk.RequestsPerSecond,8:0} req/s  p50 {result.Wrk.P50Ms:0.00} ms  p99 {result.Wrk.P99Ms:0.00} ms  keep-up {result.KeepUpSeconds:0.00} s"));
                }
            }
        }

        Summarize(runs);
        SummarizeVariants(runs);
    }

    public static async Task<double> MeasureCeilingAsync(BenchSettings settings, int events)
    {
        await using var cluster = BenchCluster.Start();
        cluster.CreateTopic(Topic, settings.IngestPartitions);
        await cluster.StartWorkerAsync("worker", Topic, "bench-ceiling");
        return await Task.Run(() => KafkaReferences.Produce(cluster.BootstrapServers, Topic, events));
    }

    private async Task<IngestRun> MeasureAsync(string host, int connections, int run, string script)
    {
        await using var cluster = BenchCluster.Start();
        cluster.CreateTopic(Topic, settings.IngestPartitions);
        var group = $"bench-ingest-{Guid.NewGuid():N}";
        var worker = await cluster.StartWorkerAsync("worker", Topic, group);
        var service = References.Contains(host)
            ? await cluster.StartReferenceAsync(host, Topic)
            : await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment, settings.ApiVariants.GetValueOrDefault(host));
        var warmUp = await WarmUp.RunAsync(service, length => Wrk.RunAsync(service.Url, script, connections, length), settings.Warmup, settings.WarmupLimit);
        var before = cluster.EndOffsets(Topic, settings.IngestPartitions);
        var cpuBefore = ProcessStats.CpuTime(service.Process.ProcessId);
        var allocatedBefore = (await service.ProbeAsync()).Allocated;
        var profile = run == 1 && connections == settings.Connections.Max()
            ? Profiler.Start(service.Process.ProcessId, $"{host}-ingest-{connections}", settings.Measure - TimeSpan.FromSeconds(1))
            : Task.CompletedTask;
        var wrk = await Wrk.RunAsync(service.Url, script, connections, settings.Measure);
        await profile;
        var cpu = ProcessStats.CpuTime(service.Process.ProcessId) - cpuBefore;
        var allocated = (await service.ProbeAsync()).Allocated - allocatedBefore;
        var after = cluster.EndOffsets(Topic, settings.IngestPartitions);
        var cell = $"{host} at {connections} connections, run {run}";
        report.Check(wrk.Non2xx == 0 && wrk.SocketErrors == 0, $"{cell}: {wrk.Non2xx} non-2xx answers and {wrk.SocketErrors} socket errors");
        if (host != "echo")
        {
            // Every 201 means an acknowledged write: the topic must have grown by at least that many events.
            report.Check(after - before >= wrk.Succeeded, $"{cell}: {wrk.Succeeded} answers 2xx but the topic grew by only {after - before}");
        }

        var keepUp = await KeepUpAsync(cluster, worker);
        report.Check(keepUp is not null, $"{cell}: the worker did not catch up with the topic within 60 s");
        var requests = Math.Max(1, wrk.Requests);
        return new IngestRun(host, connections, run, wrk, cpu.TotalMicroseconds / requests, (double)allocated / requests, keepUp, warmUp);
    }

    /// <summary>Seconds from the end of the load until the worker has stored every event in the topic (lag 0).</summary>
    private async Task<double?> KeepUpAsync(BenchCluster cluster, Service worker)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            // Every event in the topic has its own eventId, so the store holds one per offset once caught up.
            if (await cluster.StoredAsync([worker]) >= cluster.EndOffsets(Topic, settings.IngestPartitions))
            {
                return stopwatch.Elapsed.TotalSeconds;
            }

            await Task.Delay(20);
        }

        return null;
    }

    private void Summarize(List<IngestRun> runs)
    {
        var rows = new List<string[]>();
        foreach (var connections in settings.Connections)
        {
            foreach (var host in Hosts)
            {
                var cell = runs.Where(r => r.Host == host && r.Connections == connections).ToList();
                rows.Add([
                    host, Invariant(connections),
                    new Sample(cell.Select(r => r.Wrk.RequestsPerSecond)).Format("0"),
                    new Sample(cell.Select(r => r.Wrk.P50Ms)).Format("0.00"),
                    new Sample(cell.Select(r => r.Wrk.P99Ms)).Format("0.00"),
                    Invariant(cell.Sum(r => r.Wrk.Non2xx + r.Wrk.SocketErrors)),
                    new Sample(cell.Select(r => r.HostCpuMicrosPerRequest)).Format("0"),
                    new Sample(cell.Select(r => r.HostBytesPerRequest)).Format("0"),
                    host == "echo" ? "—" : new Sample(cell.Select(r => r.KeepUpSeconds ?? double.NaN)).Format("0.00"),
                    WarmUp.Cell(cell.Select(r => r.WarmUp)),
                ]);
            }
        }

        var ratios = new List<string[]>();
        foreach (var connections in settings.Connections)
        {
            var toEcho = Ratios(runs, connections, "api", "echo", r => r.Wrk.RequestsPerSecond);
            var toBaseline = Ratios(runs, connections, "api", "kafka-http", r => r.Wrk.RequestsPerSecond);
            var baselineToEcho = Ratios(runs, connections, "kafka-http", "echo", r => r.Wrk.RequestsPerSecond);
            var cpuToBaseline = Ratios(runs, connections, "api", "kafka-http", r => r.HostCpuMicrosPerRequest);
            var p99ToBaseline = Ratios(runs, connections, "api", "kafka-http", r => r.Wrk.P99Ms);
            var api = runs.Where(r => r.Host == "api" && r.Connections == connections).ToList();
            var toCeiling = new Sample(api.Select(r => r.Wrk.RequestsPerSecond / Ceiling[r.Run - 1]));
            ratios.Add([
                Invariant(connections), toBaseline.Format("0.00"), cpuToBaseline.Format("0.00"), p99ToBaseline.Format("0.00"),
                toEcho.Format("0.00"), baselineToEcho.Format("0.00"), toCeiling.Format("0.00"),
            ]);

            // The targets of issue #16, each a ratio to the Kafka HTTP baseline of the same run: the API should cost
            // what the Kafka round trip costs.
            if (connections <= 64)
            {
                report.Target($"ingest ≥ 0.9 of the Kafka HTTP baseline's requests/s at {connections} connections", toBaseline.Format("0.00"), toBaseline.Median >= 0.9);
            }
            else
            {
                report.Target($"CPU per request ≤ 1.1 × the Kafka HTTP baseline's at {connections} connections", cpuToBaseline.Format("0.00"), cpuToBaseline.Median <= 1.1);
            }

            report.Target($"ingest p99 ≤ 1.5 × the Kafka HTTP baseline's at {connections} connections", $"{p99ToBaseline.Format("0.00")} ({new Sample(api.Select(r => r.Wrk.P99Ms)).Format("0.0")} ms)", p99ToBaseline.Median <= 1.5);
            if (connections == settings.Connections.Max())
            {
                var keepUp = new Sample(api.Select(r => r.KeepUpSeconds ?? double.PositiveInfinity));
                report.Target($"worker lag back to 0 within 5 s after the {connections}-connection run", keepUp.Format("0.00") + " s (slowest " + keepUp.Max.ToString("0.00", CultureInfo.InvariantCulture) + " s)", keepUp.Max <= 5);
            }
        }

        var bytes = new Sample(runs.Where(r => r.Host == "api").Select(r => r.HostBytesPerRequest));
        report.Target("≤ 2 KB allocated per single-event request", bytes.Format("0") + " bytes", bytes.Median <= 2048);

        report.Section("Ingest: POST /events/generate, closed loop (wrk -t2)", $"""
            Each cell is a fresh stack: development broker, one worker consuming as deployed (LOG_LEVEL Information,
            metrics on), and the host under load. `echo` parses, stamps and answers 201 without publishing;
            `kafka-http` is the echo plus one awaited produce with the API's producer settings; `api` is
            Producer.Api as deployed. {settings.Measure.TotalSeconds:0} s measured after a warm-up under the same load, in
            slices of {settings.Warmup.TotalSeconds:0} s until the host's JIT took less than {WarmUp.SettledShare:P0} of its CPU in a slice (at most
            {settings.WarmupLimit.TotalSeconds:0} s; "warm-up" gives its length and the JIT's seconds in it, * where the limit ended it).
            Within a run the hosts are measured one after another, in an order rotated run by run (run 1 starts with
            {Hosts[0]}, run 2 with {Hosts[1 % Hosts.Length]}, and so on): hosts measured later in a run come out slower, and the
            rotation spreads that over all of them instead of charging it to the same host every run.

            {Report.Table(["host", "connections", "requests/s", "p50 ms", "p99 ms", "errors", "host CPU µs/request", "host bytes allocated/request", "worker lag → 0 (s)", "warm-up s (JIT s)"], rows)}
            Raw produce (the Kafka ceiling: a bare Confluent.Kafka producer, the API's settings with linger 5 ms): {new Sample(Ceiling).Format("0")} events/s.

            Ratios of the API, run by run:

            {Report.Table(["connections", "API / baseline requests/s", "API / baseline CPU per request", "API / baseline p99", "API / echo", "baseline / echo", "API / raw produce"], ratios)}
            """);
    }

    /// <summary>
    /// With --api-variant: what each other build of the API saves against the API as built, run by run (the variants
    /// of bench/ablation/run each turn one cost off, so the difference is that cost's price).
    /// </summary>
    private void SummarizeVariants(List<IngestRun> runs)
    {
        if (settings.ApiVariants.Count == 0)
        {
            return;
        }

        var rows = new List<string[]>();
        foreach (var connections in settings.Connections)
        {
            foreach (var variant in settings.ApiVariants.Keys.Prepend("api"))
            {
                var cell = runs.Where(r => r.Host == variant && r.Connections == connections).ToList();
                rows.Add([
                    variant, Invariant(connections),
                    new Sample(cell.Select(r => r.HostCpuMicrosPerRequest)).Format("0.0"),
                    Differences(runs, connections, variant, r => r.HostCpuMicrosPerRequest).Format("0.0"),
                    new Sample(cell.Select(r => r.HostBytesPerRequest)).Format("0"),
                    Differences(runs, connections, variant, r => r.HostBytesPerRequest).Format("0"),
                    Ratios(runs, connections, variant, "api", r => r.Wrk.RequestsPerSecond).Format("0.00"),
                    Ratios(runs, connections, variant, "kafka-http", r => r.HostCpuMicrosPerRequest).Format("0.00"),
                ]);
            }
        }

        report.Section("Ablation: the API with one cost turned off at a time", $"""
            Each variant is a build of Producer.Api with one cost removed (bench/ablation/*.patch, built by
            bench/ablation/run); it runs in the same runs as the API as built and the Kafka HTTP baseline, each cell a fresh
            stack. "saved" is the API's figure minus the variant's, run by run: what that cost adds to a request.

            {Report.Table(["build", "connections", "CPU µs/request", "CPU µs saved", "bytes/request", "bytes saved", "requests/s / API's", "CPU / baseline's"], rows)}
            """);
    }

    /// <summary>Per run, the API's figure minus <paramref name="variant"/>'s in the same run.</summary>
    private static Sample Differences(List<IngestRun> runs, int connections, string variant, Func<IngestRun, double> figure) =>
        new(runs.Where(r => r.Host == variant && r.Connections == connections)
            .Select(r => figure(runs.Single(x => x.Host == "api" && x.Connections == connections && x.Run == r.Run)) - figure(r)));

    /// <summary>Per run, <paramref name="host"/>'s figure over <paramref name="reference"/>'s in the same run.</summary>
    private static Sample Ratios(List<IngestRun> runs, int connections, string host, string reference, Func<IngestRun, double> figure) =>
        new(runs.Where(r => r.Host == host && r.Connections == connections)
            .Select(r => figure(r) / figure(runs.Single(x => x.Host == reference && x.Connections == connections && x.Run == r.Run))));

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
