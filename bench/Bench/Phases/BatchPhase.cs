using System.Globalization;

namespace Bench.Phases;

/// <summary>
/// Batch ingest: wrk POSTs arrays of events to /events/generate/batch in a fresh stack; events/s against the raw
/// produce ceiling of the same run.
/// </summary>
internal sealed class BatchPhase(BenchSettings settings, Report report, string repositoryRoot, IReadOnlyList<double> ceiling)
{
    private const string Topic = "bench-batch";

    public async Task RunAsync()
    {
        var script = Path.Combine(repositoryRoot, "bench", "wrk", "post-batch.lua");
        var body = Path.Combine(Path.GetTempPath(), $"bench-batch-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(body, EventCorpus.BatchBody(settings.BatchSize));
        var environment = new Dictionary<string, string> { ["BATCH_BODY"] = body };
        var rates = new List<double>();
        var ratios = new List<double>();
        var p99s = new List<double>();
        var apiMicros = new List<double>();
        var workerMicros = new List<double>();
        var warmUps = new List<WarmUpResult>();
        try
        {
            for (var run = 1; run <= settings.Runs; run++)
            {
                var reference = run <= ceiling.Count
                    ? ceiling[run - 1]
                    : await IngestPhase.MeasureCeilingAsync(settings, settings.RawEvents);
                await using var cluster = BenchCluster.Start();
                cluster.CreateTopic(Topic, settings.IngestPartitions);
                var group = $"bench-batch-{Guid.NewGuid():N}";
                var worker = await cluster.StartWorkerAsync("worker", Topic, group);
                var api = await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment);
                warmUps.Add(await WarmUp.RunAsync(api, length => Wrk.RunAsync(api.Url, script, settings.BatchConnections, length, environment), settings.Warmup, settings.WarmupLimit));
                var before = cluster.EndOffsets(Topic, settings.IngestPartitions);
                var (apiBefore, workerBefore) = (ProcessStats.CpuTime(api.Process.ProcessId), ProcessStats.CpuTime(worker.Process.ProcessId));
                var wrk = await Wrk.RunAsync(api.Url, script, settings.BatchConnections, settings.Measure, environment);
                var (apiCpu, workerCpu) = (ProcessStats.CpuTime(api.Process.ProcessId) - apiBefore, ProcessStats.CpuTime(worker.Process.ProcessId) - workerBefore);
                var written = cluster.EndOffsets(Topic, settings.IngestPartitions) - before;
                // What each process spent per event written in the window: the API's share, and the worker's, which
                // consumes beside it on the same cores.
                apiMicros.Add(apiCpu.TotalMicroseconds / Math.Max(1, written));
                workerMicros.Add(workerCpu.TotalMicroseconds / Math.Max(1, written));
                var events = wrk.RequestsPerSecond * settings.BatchSize;
                report.Check(wrk.Non2xx == 0 && wrk.SocketErrors == 0, $"batch run {run}: {wrk.Non2xx} non-2xx answers and {wrk.SocketErrors} socket errors");
                report.Check(written >= wrk.Succeeded * settings.BatchSize, $"batch run {run}: {wrk.Succeeded} batches answered but the topic grew by only {written} events");
                rates.Add(events);
                ratios.Add(events / reference);
                p99s.Add(wrk.P99Ms);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch run {run}: {events:0} events/s ({wrk.RequestsPerSecond:0} batches/s), {events / reference:0.00} of raw produce, p99 {wrk.P99Ms:0.0} ms"));
            }
        }
        finally
        {
            File.Delete(body);
        }

        var ratio = new Sample(ratios);
        report.Section("Batch ingest: POST /events/generate/batch", $"""
            {settings.BatchSize} events per request, {settings.BatchConnections} connections, {settings.Measure.TotalSeconds:0} s per run after a warm-up as in
            the ingest phase (until the API's JIT has settled); a fresh stack per run.

            "API CPU µs/event" and "worker CPU µs/event" are each process's CPU time in the measured window over the events
            the topic grew by: the worker consumes beside the API, on the same cores.

            {Report.Table(["events/s", "batch p99 ms", "of raw produce", "API CPU µs/event", "worker CPU µs/event", "warm-up s (JIT s)"], [[new Sample(rates).Format("0"), new Sample(p99s).Format("0.0"), ratio.Format("0.00"), new Sample(apiMicros).Format("0.0"), new Sample(workerMicros).Format("0.0"), WarmUp.Cell(warmUps)]])}
            """);
        report.Target("batch ingest ≥ 0.5 of the Kafka ceiling (raw produce)", ratio.Format("0.00"), ratio.Median >= 0.5);
    }
}
