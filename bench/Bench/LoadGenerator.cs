using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Bench;

/// <summary>
/// The end-to-end load: POSTs sent open-loop at a fixed rate, and for one event in <c>sample-every</c> the time from
/// sending its POST until GET /events/processed/{eventId} first finds it, polled every millisecond. It runs in a
/// process of its own (the harness started again with the hidden sub-command <c>loadgen</c>), so that its CPU is not
/// taken from the broker in the harness's process and can be reported apart from the API's.
/// </summary>
internal static class LoadGenerator
{
    public const string Command = "loadgen";

    /// <summary>How long a timed event may take to become visible before it counts as an error.</summary>
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts the load generator as a child process of the harness (same session, output to a file as for every service
    /// the harness starts), waits for it and returns what it printed.
    /// </summary>
    public static async Task<LoadResult> RunInOwnProcessAsync(string url, int rate, TimeSpan duration, int sampleEvery)
    {
        string[] arguments =
        [
            Command,
            "--url", url,
            "--rate", rate.ToString(CultureInfo.InvariantCulture),
            "--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--sample-every", sampleEvery.ToString(CultureInfo.InvariantCulture),
        ];
        var log = new LogTail(Command);
        try
        {
            await using var process = log.Start(typeof(LoadGenerator).Assembly.Location, arguments);
            // Its own bound: the sending, the last polls and a request timeout, with room for its start on a busy machine.
            var limit = duration + VisibleWithin + TimeSpan.FromSeconds(60);
            try
            {
                await process.Exited.WaitAsync(limit);
            }
            catch (TimeoutException)
            {
                process.Crash();
                throw new TimeoutException($"The load generator did not finish within {limit.TotalSeconds:0} s:\n{log}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The load generator failed ({process.ExitCode}):\n{log}");
            }

            var output = log.ReadAll();
            try
            {
                return JsonSerializer.Deserialize(output, LoadResultJsonContext.Default.LoadResult) ?? throw new JsonException("The document is null.");
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"The load generator's output is not one result document:\n{output}", e);
            }
        }
        finally
        {
            log.Delete();
        }
    }

    /// <summary>The sub-command: <c>loadgen --url U --rate R --seconds S --sample-every N</c>; prints a <see cref="LoadResult"/>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{Command} needs {name}.");
        var result = await SendAsync(
            Option("--url"),
            int.Parse(Option("--rate"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Option("--seconds"), CultureInfo.InvariantCulture)),
            int.Parse(Option("--sample-every"), CultureInfo.InvariantCulture));
        // Standard output carries the result and nothing else: the harness reads it whole as one JSON document.
        await using var output = Console.OpenStandardOutput();
        await JsonSerializer.SerializeAsync(output, result, LoadResultJsonContext.Default.LoadResult);
        return 0;
    }

    private static async Task<LoadResult> SendAsync(string url, int rate, TimeSpan duration, int sampleEvery)
    {
        using var http = OpenLoop.Client(url);
        var visible = new ConcurrentBag<double>();
        var posts = new ConcurrentBag<double>();
        int notCreated = 0, unanswered = 0, neverVisible = 0;
        var cpu = Environment.CpuUsage.TotalTime;
        var sent = await OpenLoop.RunAsync(rate, duration, index => SendOneAsync(timed: index % sampleEvery == 0));
        return new LoadResult(sent, notCreated, unanswered, neverVisible, [.. visible], [.. posts], (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);

        async Task SendOneAsync(bool timed)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var created = await EventCorpus.PostAsync(http);
                if (created.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref notCreated);
                    return;
                }

                if (!timed)
                {
                    return;
                }

                posts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                var location = created.Headers.Location!.ToString();
                var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * VisibleWithin.TotalSeconds);
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    using var found = await http.GetAsync(location);
                    if (found.StatusCode == HttpStatusCode.OK)
                    {
                        visible.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        return;
                    }

                    await Task.Delay(1);
                }

                Interlocked.Increment(ref neverVisible);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Counted, not thrown: the run reports how many requests went unanswered instead of ending at the first.
                Interlocked.Increment(ref unanswered);
            }
        }
    }
}
