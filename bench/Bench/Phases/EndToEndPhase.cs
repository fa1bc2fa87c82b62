using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Bench.Phases;

/// <summary>
/// End to end at a fixed rate: POSTs sent open-loop at <see cref="BenchSettings.EndToEndRate"/> events/s; for one
/// event in fifty, the time from sending its POST until GET /events/processed/{eventId} first finds it, polled every
/// millisecond. Open-loop, so a slow answer does not slow the sending (no coordinated omission).
/// </summary>
internal sealed class EndToEndPhase(BenchSettings settings, Report report)
{
    private const string Topic = "bench-e2e";
    /// <summary>
    /// One event in 50 is timed: 100 a second, each polled every millisecond until found. Timing every tenth made the
    /// polls themselves (tens of thousands of GETs a second) the load being measured.
    /// </summary>
    private const int SampleEvery = 50;

    /// <summary>The POST's own latency (until its 201), per run: the part of the end-to-end time that is ingest.</summary>
    private List<double> PostP50 { get; } = [];

    private List<double> PostP99 { get; } = [];

    public async Task RunAsync()
    {
        var p50s = new List<double>();
        var p99s = new List<double>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            await using var cluster = BenchCluster.Start();
            cluster.CreateTopic(Topic, settings.IngestPartitions);
            var group = $"bench-e2e-{Guid.NewGuid():N}";
            var worker = await cluster.StartWorkerAsync("worker", Topic, group);
            var api = await cluster.StartApiAsync(Topic, group, [worker], settings.ApiEnvironment);
            var (latencies, errors, sent) = await MeasureAsync(api.Url);
            report.Check(errors == 0, $"end to end run {run}: {errors} of {sent} requests failed or never became visible");
            var sorted = latencies.Order().ToArray();
            if (sorted.Length == 0)
            {
                report.Fail($"end to end run {run}: no event was measured");
                continue;
            }

            p50s.Add(sorted[sorted.Length / 2]);
            p99s.Add(sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"end to end run {run}: {sent} events, {sorted.Length} timed, p50 {p50s[^1]:0.0} ms, p99 {p99s[^1]:0.0} ms (the POST alone: p50 {PostP50[^1]:0.0} ms, p99 {PostP99[^1]:0.0} ms)"));
        }

        var p99 = new Sample(p99s);
        report.Section($"End to end at {settings.EndToEndRate:N0} events/s", $"""
            From sending the POST until GET /events/processed/{"{eventId}"} finds the event (polled every millisecond), for one
            event in {SampleEvery}; {settings.EndToEndDuration.TotalSeconds:0} s per run, open loop, a fresh stack per run.

            {Report.Table(["p50 ms", "p99 ms", "POST alone p50 ms", "POST alone p99 ms"], [[new Sample(p50s).Format("0.0"), p99.Format("0.0"), new Sample(PostP50).Format("0.0"), new Sample(PostP99).Format("0.0")]])}
            """);
        report.Target($"end to end p99 ≤ 25 ms at {settings.EndToEndRate:N0} events/s", p99.Format("0.0") + " ms", p99.Median <= 25);
    }

    private async Task<(List<double> Latencies, int Errors, int Sent)> MeasureAsync(string url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(10),
        };
        var latencies = new ConcurrentBag<double>();
        var posts = new ConcurrentBag<double>();
        var errors = 0;
        var total = (int)(settings.EndToEndRate * settings.EndToEndDuration.TotalSeconds);
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            // Send what is due by now, then wait a millisecond: a steady rate without a timer per request.
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * settings.EndToEndRate));
            for (; sent < due; sent++)
            {
                inFlight.Add(SendAsync(http, sent % SampleEvery == 0));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
        var acknowledged = posts.Order().ToArray();
        if (acknowledged.Length > 0)
        {
            PostP50.Add(acknowledged[acknowledged.Length / 2]);
            PostP99.Add(acknowledged[(int)Math.Min(acknowledged.Length - 1, Math.Ceiling(acknowledged.Length * 0.99) - 1)]);
        }

        return ([.. latencies], errors, sent);

        async Task SendAsync(HttpClient client, bool timed)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var created = await EventCorpus.PostAsync(client);
                if (created.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                if (!timed)
                {
                    return;
                }

                posts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                var location = created.Headers.Location!.ToString();
                var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    using var found = await client.GetAsync(location);
                    if (found.StatusCode == HttpStatusCode.OK)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        return;
                    }

                    await Task.Delay(1);
                }

                Interlocked.Increment(ref errors);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }
}
