using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Shared.Contracts.Consistency;

namespace Bench.Phases;

/// <summary>
/// Read your writes at a fixed rate: every POST, sent open-loop, is followed as soon as its 201 arrives by one
/// GET /events/processed/{eventId} with the 201's Consistency-Token, which the worker answers once it has stored the
/// event (woken by its consume loop). Measured: the time from the 201 to that GET's 200 (no polling: one request), and
/// what the waiting reads cost the worker: its CPU per thousand events with and without the reads, and how many reads
/// waited and for how long (its own histogram).
/// </summary>
internal sealed class TokenReadPhase(BenchSettings settings, Report report)
{
    private const string Topic = "bench-token";
    private const string WaitMetric = "useractivity_worker_read_wait_duration_seconds";

    public async Task RunAsync()
    {
        var rows = new List<string[]>();
        foreach (var rate in settings.TokenReadRates)
        {
            var cells = new List<Cell>();
            for (var run = 1; run <= settings.Runs; run++)
            {
                await using var cluster = BenchCluster.Start();
                cluster.CreateTopic(Topic, settings.IngestPartitions);
                var group = $"bench-token-{Guid.NewGuid():N}";
                var worker = await cluster.StartWorkerAsync("worker", Topic, group);
                var api = await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment);
                using var http = OpenLoop.Client(api.Url);

                // Warm up both paths first, so that neither measurement pays for the JIT.
                await MeasureAsync(http, worker, rate, TimeSpan.FromSeconds(1), read: true);
                var writesOnly = await MeasureAsync(http, worker, rate, settings.EndToEndDuration, read: false);
                var waitsBefore = (Count: await cluster.MetricAsync(worker, WaitMetric + "_count"), Sum: await cluster.MetricAsync(worker, WaitMetric + "_sum"));
                var withReads = await MeasureAsync(http, worker, rate, settings.EndToEndDuration, read: true);
                var waited = await cluster.MetricAsync(worker, WaitMetric + "_count") - waitsBefore.Count;
                var waitedSeconds = await cluster.MetricAsync(worker, WaitMetric + "_sum") - waitsBefore.Sum;

                report.Check(
                    writesOnly.Errors == 0 && withReads.Errors == 0,
                    $"token reads at {rate:N0}/s, run {run}: {writesOnly.Errors + withReads.Errors} POSTs failed");
                report.Check(
                    withReads.NotFirstTime == 0,
                    $"token reads at {rate:N0}/s, run {run}: {withReads.NotFirstTime} of {withReads.Latencies.Count + withReads.NotFirstTime} reads with a token were not answered 200 at once");
                if (withReads.Latencies.Count == 0)
                {
                    report.Fail($"token reads at {rate:N0}/s, run {run}: no read was measured");
                    continue;
                }

                var (p50, p99) = Percentiles.Of(withReads.Latencies);
                var cell = new Cell(
                    P50: p50,
                    P99: p99,
                    WaitedShare: waited / withReads.Latencies.Count,
                    MeanWaitMs: waited > 0 ? waitedSeconds * 1000 / waited : 0,
                    CpuWritesOnly: writesOnly.WorkerCpuMsPerThousand,
                    CpuWithReads: withReads.WorkerCpuMsPerThousand);
                cells.Add(cell);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"token reads at {rate:N0}/s run {run}: {withReads.Latencies.Count} reads, 201 to visible p50 {cell.P50:0.00} ms, p99 {cell.P99:0.00} ms; {cell.WaitedShare:P0} waited, {cell.MeanWaitMs:0.00} ms on average; worker CPU {cell.CpuWritesOnly:0} ms per 1,000 events without reads, {cell.CpuWithReads:0} ms with"));
            }

            rows.Add(
            [
                rate.ToString("N0", CultureInfo.InvariantCulture),
                new Sample(cells.Select(c => c.P50)).Format("0.00"),
                new Sample(cells.Select(c => c.P99)).Format("0.00"),
                new Sample(cells.Select(c => c.WaitedShare * 100)).Format("0"),
                new Sample(cells.Select(c => c.MeanWaitMs)).Format("0.00"),
                new Sample(cells.Select(c => c.CpuWritesOnly)).Format("0"),
                new Sample(cells.Select(c => c.CpuWithReads)).Format("0"),
            ]);
        }

        report.Section("Read your writes through the consistency token", $"""
            Every POST, sent open loop at the rate, is followed as soon as its 201 arrives by one GET /events/processed/{"{eventId}"}
            with the 201's Consistency-Token; the worker answers it once its consume loop has stored the event. The latency is
            from the 201 to that GET's 200, one request, no polling. "Waited" is the share of reads the worker held until the
            event was stored, with their mean wait (its histogram useractivity.worker.read.wait.duration); the worker's CPU
            is per 1,000 events, posting only, then posting and reading each. {settings.EndToEndDuration.TotalSeconds:0} s
            per measurement, a fresh stack per run, {settings.IngestPartitions} partitions, one worker.

            {Report.Table(["events/s", "201 to visible p50 ms", "p99 ms", "waited %", "mean wait ms", "worker CPU ms / 1,000 events, posts only", "with a token read each"], rows)}
            """);
    }

    private static async Task<Measurement> MeasureAsync(HttpClient http, Service worker, int rate, TimeSpan duration, bool read)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var notFirstTime = 0;
        var cpu = ProcessStats.CpuTime(worker.Process.ProcessId);
        var sent = await OpenLoop.RunAsync(rate, duration, _ => SendAsync());
        var cpuMs = (ProcessStats.CpuTime(worker.Process.ProcessId) - cpu).TotalMilliseconds;
        return new Measurement([.. latencies], errors, notFirstTime, cpuMs * 1000 / Math.Max(1, sent));

        async Task SendAsync()
        {
            try
            {
                using var created = await EventCorpus.PostAsync(http);
                if (created.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                if (!read)
                {
                    return;
                }

                var acknowledged = Stopwatch.GetTimestamp();
                using var get = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
                get.Headers.Add(ConsistencyToken.HeaderName, created.Headers.GetValues(ConsistencyToken.HeaderName));
                using var found = await http.SendAsync(get);
                if (found.StatusCode == HttpStatusCode.OK)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref notFirstTime);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }

    private sealed record Measurement(List<double> Latencies, int Errors, int NotFirstTime, double WorkerCpuMsPerThousand);

    private sealed record Cell(double P50, double P99, double WaitedShare, double MeanWaitMs, double CpuWritesOnly, double CpuWithReads);
}
