using System.Globalization;

namespace Bench.Phases;

/// <summary>
/// End to end at a fixed rate: POSTs sent open-loop at <see cref="BenchSettings.EndToEndRate"/> events/s; for one
/// event in fifty, the time from its 201 until GET /events/processed/{eventId} first finds it (the target's measure),
/// and from sending its POST, read as <see cref="BenchSettings.EndToEndRead"/> says. The load comes from a process of
/// its own (<see cref="LoadGenerator"/>), whose CPU per event is reported beside the API's, so that the client's share
/// is not counted as the API's. Each run first warms the API and the worker up with that same load, reads included,
/// until the API's JIT has settled, so that the rate is measured against the services' steady state rather than
/// against their compiler.
/// </summary>
internal sealed class EndToEndPhase(BenchSettings settings, Report report)
{
    /// <summary>
    /// The load generator's own warm-up before it measures: its JIT took a second of CPU in its first ten seconds,
    /// on the cores the services share.
    /// </summary>
    private static readonly TimeSpan LoadGeneratorWarmUp = TimeSpan.FromSeconds(3);

    private const string Topic = "bench-e2e";
    /// <summary>
    /// One event in 50 is timed: 100 a second. Timing every tenth, polled every millisecond, made the polls themselves
    /// (tens of thousands of GETs a second) the load being measured.
    /// </summary>
    private const int SampleEvery = 50;

    public async Task RunAsync()
    {
        var p50s = new List<double>();
        var p99s = new List<double>();
        var sentP50s = new List<double>();
        var sentP99s = new List<double>();
        var postP50s = new List<double>();
        var postP99s = new List<double>();
        var clientCpu = new List<double>();
        var apiCpu = new List<double>();
        var workerCpu = new List<double>();
        var brokerCpu = new List<double>();
        var warmUps = new List<WarmUpResult>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            await using var cluster = BenchCluster.Start();
            cluster.CreateTopic(Topic, settings.IngestPartitions);
            var group = $"bench-e2e-{Guid.NewGuid():N}";
            var worker = await cluster.StartWorkerAsync("worker", Topic, group);
            var api = await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment);
            // Warmed up with the load it is measured with, reads included: warmed with POSTs alone (wrk), the API still
            // spent a quarter of the measured window compiling the read path (the token's GET and its gRPC call).
            warmUps.Add(await WarmUp.RunAsync(
                api,
                async length => CheckLoad(await LoadGenerator.RunInOwnProcessAsync(api.Url, settings.EndToEndRate, length, SampleEvery, settings.EndToEndRead, TimeSpan.Zero), $"run {run}, warm-up"),
                settings.Warmup,
                settings.WarmupLimit));
            var apiCpuBefore = ProcessStats.CpuTime(api.Process.ProcessId);
            var workerCpuBefore = ProcessStats.CpuTime(worker.Process.ProcessId);
            // The development broker runs in this process, which does nothing else while the load generator runs.
            var brokerCpuBefore = Environment.CpuUsage.TotalTime;
            var load = await LoadGenerator.RunInOwnProcessAsync(api.Url, settings.EndToEndRate, settings.EndToEndDuration, SampleEvery, settings.EndToEndRead, GeneratorWarmUp);
            // Each service's CPU over the load generator's whole life (its warm-up, at the same rate, included), per
            // event it sent in that time.
            var sentInAll = (double)(load.WarmUpSent + load.Sent);
            var apiCpuMs = (ProcessStats.CpuTime(api.Process.ProcessId) - apiCpuBefore).TotalMilliseconds;
            var workerCpuMs = (ProcessStats.CpuTime(worker.Process.ProcessId) - workerCpuBefore).TotalMilliseconds;
            var brokerCpuMs = (Environment.CpuUsage.TotalTime - brokerCpuBefore).TotalMilliseconds;
            CheckLoad(load, $"run {run}");
            if (load.VisibleMs.Length == 0)
            {
                report.Fail($"end to end run {run}: no event was measured");
                continue;
            }

            var (p50, p99) = Percentiles.Of(load.CreatedToVisibleMs);
            var (sentP50, sentP99) = Percentiles.Of(load.VisibleMs);
            var (postP50, postP99) = Percentiles.Of(load.PostMs);
            p50s.Add(p50);
            p99s.Add(p99);
            sentP50s.Add(sentP50);
            sentP99s.Add(sentP99);
            postP50s.Add(postP50);
            postP99s.Add(postP99);
            clientCpu.Add(load.CpuMs * 1000 / load.Sent);
            apiCpu.Add(apiCpuMs * 1000 / sentInAll);
            workerCpu.Add(workerCpuMs * 1000 / sentInAll);
            brokerCpu.Add(brokerCpuMs * 1000 / sentInAll);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"end to end run {run}: {load.Sent} events, {load.VisibleMs.Length} timed, 201 to visible p50 {p50:0.0} ms, p99 {p99:0.0} ms; from sending the POST p50 {sentP50:0.0} ms, p99 {sentP99:0.0} ms (the POST alone: p50 {postP50:0.0} ms, p99 {postP99:0.0} ms); CPU per event: load generator {clientCpu[^1]:0} µs, API {apiCpu[^1]:0} µs, worker {workerCpu[^1]:0} µs, broker {brokerCpu[^1]:0} µs"));
        }

        var p99Runs = new Sample(p99s);
        report.Section($"End to end at {settings.EndToEndRate:N0} events/s", $"""
            For one event in {SampleEvery}: from its 201 until GET /events/processed/{"{eventId}"} finds it (the target's measure), and
            from sending its POST. {ReadText(settings.EndToEndRead)} {settings.EndToEndDuration.TotalSeconds:0} s per run, open loop, a fresh stack per run,
            warmed up first with the same load, reads included, until the API's JIT has settled. The load generator (POSTs and reads)
            is a process of its own, the harness started again as `Bench {LoadGenerator.Command}` from the same session, which also
            warms itself up for {GeneratorWarmUp.TotalSeconds:0} s before it measures: its CPU is not taken from the broker in the harness's
            process, and is shown per event beside the API's, the worker's and the development broker's (the harness's own process).

            {Report.Table(
                ["201 to visible p50 ms", "p99 ms", "POST sent to visible p50 ms", "p99 ms", "POST alone p50 ms", "POST alone p99 ms", "CPU µs/event: load generator", "API", "worker", "broker", "warm-up s (JIT s)"],
                [[new Sample(p50s).Format("0.0"), p99Runs.Format("0.0"), new Sample(sentP50s).Format("0.0"), new Sample(sentP99s).Format("0.0"), new Sample(postP50s).Format("0.0"), new Sample(postP99s).Format("0.0"), new Sample(clientCpu).Format("0"), new Sample(apiCpu).Format("0"), new Sample(workerCpu).Format("0"), new Sample(brokerCpu).Format("0"), WarmUp.Cell(warmUps)]])}
            """);
        report.Target($"end to end p99 ≤ 25 ms at {settings.EndToEndRate:N0} events/s", p99Runs.Format("0.0") + " ms", p99Runs.Median <= 25);
    }

    /// <summary>None in quick mode, which only proves the phase works.</summary>
    private TimeSpan GeneratorWarmUp => settings.Quick ? TimeSpan.Zero : LoadGeneratorWarmUp;

    private void CheckLoad(LoadResult load, string which) => report.Check(
        load.Errors == 0,
        $"end to end {which}: {load.Errors} of {load.WarmUpSent + load.Sent} events failed: {load.NotCreated} POSTs answered other than 201, {load.Unanswered} requests unanswered (refused, reset or past 10 s), {load.NeverVisible} timed events not visible within 5 s");

    private static string ReadText(EndToEndRead read) => read == EndToEndRead.Token
        ? "Each is read once with its 201's Consistency-Token; the worker answers that read as soon as it has stored the event."
        : "Each is polled every millisecond without a token until a GET finds it.";
}
