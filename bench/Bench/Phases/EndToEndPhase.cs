using System.Globalization;

namespace Bench.Phases;

/// <summary>
/// End to end at a fixed rate: POSTs sent open-loop at <see cref="BenchSettings.EndToEndRate"/> events/s; for one
/// event in fifty, the time from sending its POST until GET /events/processed/{eventId} first finds it, polled every
/// millisecond. The load comes from a process of its own (<see cref="LoadGenerator"/>), whose CPU per event is
/// reported beside the API's, so that the client's share is not counted as the API's. Each run first warms the API and
/// the worker up as the ingest phase does (single-event POSTs until the API's JIT has settled), so that the rate is
/// measured against the services' steady state rather than against their compiler.
/// </summary>
internal sealed class EndToEndPhase(BenchSettings settings, Report report, string repositoryRoot)
{
    /// <summary>The warm-up's connections: the ingest phase's lower level.</summary>
    private const int WarmUpConnections = 64;

    private const string Topic = "bench-e2e";
    /// <summary>
    /// One event in 50 is timed: 100 a second, each polled every millisecond until found. Timing every tenth made the
    /// polls themselves (tens of thousands of GETs a second) the load being measured.
    /// </summary>
    private const int SampleEvery = 50;

    public async Task RunAsync()
    {
        var p50s = new List<double>();
        var p99s = new List<double>();
        var postP50s = new List<double>();
        var postP99s = new List<double>();
        var clientCpu = new List<double>();
        var apiCpu = new List<double>();
        var warmUps = new List<WarmUpResult>();
        var script = Path.Combine(repositoryRoot, "bench", "wrk", "post-event.lua");
        for (var run = 1; run <= settings.Runs; run++)
        {
            await using var cluster = BenchCluster.Start();
            cluster.CreateTopic(Topic, settings.IngestPartitions);
            var group = $"bench-e2e-{Guid.NewGuid():N}";
            var worker = await cluster.StartWorkerAsync("worker", Topic, group);
            var api = await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment);
            warmUps.Add(await WarmUp.RunAsync(api, length => Wrk.RunAsync(api.Url, script, WarmUpConnections, length), settings.Warmup, settings.WarmupLimit));
            var apiCpuBefore = ProcessStats.CpuTime(api.Process.ProcessId);
            var load = await LoadGenerator.RunInOwnProcessAsync(api.Url, settings.EndToEndRate, settings.EndToEndDuration, SampleEvery);
            // The API's CPU over the load generator's whole life, which is little more than the load.
            var apiCpuMs = (ProcessStats.CpuTime(api.Process.ProcessId) - apiCpuBefore).TotalMilliseconds;
            report.Check(
                load.Errors == 0,
                $"end to end run {run}: {load.Errors} of {load.Sent} events failed: {load.NotCreated} POSTs answered other than 201, {load.Unanswered} requests unanswered (refused, reset or past 10 s), {load.NeverVisible} timed events not visible within 5 s");
            if (load.VisibleMs.Length == 0)
            {
                report.Fail($"end to end run {run}: no event was measured");
                continue;
            }

            var (p50, p99) = Percentiles(load.VisibleMs);
            var (postP50, postP99) = Percentiles(load.PostMs);
            p50s.Add(p50);
            p99s.Add(p99);
            postP50s.Add(postP50);
            postP99s.Add(postP99);
            clientCpu.Add(load.CpuMs * 1000 / load.Sent);
            apiCpu.Add(apiCpuMs * 1000 / load.Sent);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"end to end run {run}: {load.Sent} events, {load.VisibleMs.Length} timed, p50 {p50:0.0} ms, p99 {p99:0.0} ms (the POST alone: p50 {postP50:0.0} ms, p99 {postP99:0.0} ms); CPU per event: load generator {clientCpu[^1]:0} µs, API {apiCpu[^1]:0} µs"));
        }

        var p99Runs = new Sample(p99s);
        report.Section($"End to end at {settings.EndToEndRate:N0} events/s", $"""
            From sending the POST until GET /events/processed/{"{eventId}"} finds the event (polled every millisecond), for one
            event in {SampleEvery}; {settings.EndToEndDuration.TotalSeconds:0} s per run, open loop, a fresh stack per run, warmed up first with
            wrk at {WarmUpConnections} connections as the ingest phase warms up (until the API's JIT has settled). The load generator
            (POSTs and polls) is a process of its own, the harness started again as `Bench {LoadGenerator.Command}` from the same
            session: its CPU is not taken from the broker in the harness's process, and is shown per event beside the API's.

            {Report.Table(
                ["p50 ms", "p99 ms", "POST alone p50 ms", "POST alone p99 ms", "load generator CPU µs/event", "API CPU µs/event", "warm-up s (JIT s)"],
                [[new Sample(p50s).Format("0.0"), p99Runs.Format("0.0"), new Sample(postP50s).Format("0.0"), new Sample(postP99s).Format("0.0"), new Sample(clientCpu).Format("0"), new Sample(apiCpu).Format("0"), WarmUp.Cell(warmUps)]])}
            """);
        report.Target($"end to end p99 ≤ 25 ms at {settings.EndToEndRate:N0} events/s", p99Runs.Format("0.0") + " ms", p99Runs.Median <= 25);
    }

    /// <summary>The median and the 99th percentile (nearest rank) of one run's latencies, none of them empty.</summary>
    private static (double P50, double P99) Percentiles(double[] latencies)
    {
        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)]);
    }
}
