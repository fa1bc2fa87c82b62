using System.Diagnostics;
using System.Globalization;

namespace Bench.Phases;

/// <summary>
/// Ingest: a closed loop of single-event POSTs with wrk, against the API and the two reference hosts, each in a fresh
/// stack (broker, one worker consuming as deployed, the host) so that no run inherits another's topic or store.
/// Hosts are interleaved within each run so that drift in the machine's load hits them alike. Also the raw produce
/// ceiling, once per run.
/// </summary>
internal sealed class IngestPhase(BenchSettings settings, Report report, string repositoryRoot)
{
    private const string Topic = "bench-ingest";
    private static readonly string[] Hosts = ["echo", "kafka-http", "api"];

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
                foreach (var host in Hosts)
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
        var service = host == "api"
            ? await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment)
            : await cluster.StartReferenceAsync(host, Topic);
        await Wrk.RunAsync(service.Url, script, connections, settings.Warmup);
        var before = cluster.EndOffsets(Topic, settings.IngestPartitions);
        var cpuBefore = ProcessStats.CpuTime(service.Process.ProcessId);
        var profile = run == 1 && connections == settings.Connections.Max()
            ? Profiler.Start(service.Process.ProcessId, $"{host}-ingest-{connections}", settings.Measure - TimeSpan.FromSeconds(1))
            : Task.CompletedTask;
        var wrk = await Wrk.RunAsync(service.Url, script, connections, settings.Measure);
        await profile;
        var cpu = ProcessStats.CpuTime(service.Process.ProcessId) - cpuBefore;
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
        return new IngestRun(host, connections, run, wrk, cpu.TotalMicroseconds / Math.Max(1, wrk.Requests), keepUp);
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
                    host == "echo" ? "—" : new Sample(cell.Select(r => r.KeepUpSeconds ?? double.NaN)).Format("0.00"),
                ]);
            }
        }

        var ratios = new List<string[]>();
        foreach (var connections in settings.Connections)
        {
            var toEcho = Ratios(runs, connections, "api", "echo");
            var toBaseline = Ratios(runs, connections, "api", "kafka-http");
            var baselineToEcho = Ratios(runs, connections, "kafka-http", "echo");
            var api = runs.Where(r => r.Host == "api" && r.Connections == connections).ToList();
            var toCeiling = new Sample(api.Select(r => r.Wrk.RequestsPerSecond / Ceiling[r.Run - 1]));
            ratios.Add([Invariant(connections), toBaseline.Format("0.00"), toEcho.Format("0.00"), baselineToEcho.Format("0.00"), toCeiling.Format("0.00")]);
            var p99 = new Sample(api.Select(r => r.Wrk.P99Ms));
            var p99Bound = connections <= 64 ? 8 : 15;
            report.Target($"ingest ≥ 0.9 of the Kafka HTTP baseline at {connections} connections", toBaseline.Format("0.00"), toBaseline.Median >= 0.9);
            report.Target($"ingest p99 ≤ {p99Bound} ms at {connections} connections", p99.Format("0.00") + " ms", p99.Median <= p99Bound);
            if (connections == settings.Connections.Max())
            {
                var keepUp = new Sample(api.Select(r => r.KeepUpSeconds ?? double.PositiveInfinity));
                report.Target($"worker lag back to 0 within 5 s after the {connections}-connection run", keepUp.Format("0.00") + " s (slowest " + keepUp.Max.ToString("0.00", CultureInfo.InvariantCulture) + " s)", keepUp.Max <= 5);
            }
        }

        report.Section("Ingest: POST /events/generate, closed loop (wrk -t2)", $"""
            Each cell is a fresh stack: development broker, one worker consuming as deployed (LOG_LEVEL Information,
            metrics on), and the host under load. `echo` parses, stamps and answers 201 without publishing;
            `kafka-http` is the echo plus one awaited produce with the API's producer settings; `api` is
            Producer.Api as deployed. {settings.Measure.TotalSeconds:0} s measured after {settings.Warmup.TotalSeconds:0} s of warm-up.

            {Report.Table(["host", "connections", "requests/s", "p50 ms", "p99 ms", "errors", "host CPU µs/request", "worker lag → 0 (s)"], rows)}
            Raw produce (the Kafka ceiling: a bare Confluent.Kafka producer, the API's settings with linger 5 ms): {new Sample(Ceiling).Format("0")} events/s.

            Ratios of the API, run by run:

            {Report.Table(["connections", "API / Kafka HTTP baseline", "API / echo", "baseline / echo", "API / raw produce"], ratios)}
            """);
    }

    private static Sample Ratios(List<IngestRun> runs, int connections, string host, string reference) =>
        new(runs.Where(r => r.Host == host && r.Connections == connections)
            .Select(r => r.Wrk.RequestsPerSecond / runs.Single(x => x.Host == reference && x.Connections == connections && x.Run == r.Run).Wrk.RequestsPerSecond));

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
