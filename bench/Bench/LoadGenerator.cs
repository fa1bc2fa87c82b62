using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Shared.Contracts.Consistency;

namespace Bench;

/// <summary>
/// The end-to-end load: POSTs sent open-loop at a fixed rate, and for one event in <c>sample-every</c> the time from
/// its POST until GET /events/processed/{eventId} first finds it: read once with the 201's consistency token (the worker
/// holds the read until it has stored the event), or polled every millisecond without it (<see cref="EndToEndRead"/>). It runs in a
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
    /// <param name="url">The API's address.</param>
    /// <param name="rate">POSTs a second, open loop.</param>
    /// <param name="duration">How long the measured load lasts.</param>
    /// <param name="sampleEvery">One event in this many is timed until a GET finds it.</param>
    /// <param name="read">How a timed event is looked for.</param>
    /// <param name="warmUp">
    /// Sent first at the same rate, read the same way, and not measured (its failures still count): the load
    /// generator's own JIT, a second of CPU in its first ten at 1,000 events/s, would otherwise share the measured
    /// window's cores with the services.
    /// </param>
    public static async Task<LoadResult> RunInOwnProcessAsync(string url, int rate, TimeSpan duration, int sampleEvery, EndToEndRead read, TimeSpan warmUp)
    {
        string[] arguments =
        [
            Command,
            "--url", url,
            "--rate", rate.ToString(CultureInfo.InvariantCulture),
            "--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--sample-every", sampleEvery.ToString(CultureInfo.InvariantCulture),
            "--read", read.ToString(),
            "--warmup", warmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        var log = new LogTail(Command);
        try
        {
            await using var process = log.Start(typeof(LoadGenerator).Assembly.Location, arguments);
            // Its own bound: the sending, the last polls and a request timeout, with room for its start on a busy machine.
            var limit = warmUp + duration + 2 * VisibleWithin + TimeSpan.FromSeconds(60);
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

    /// <summary>
    /// The sub-command: <c>loadgen --url U --rate R --seconds S --sample-every N [--read Token|Poll] [--warmup W]</c>;
    /// prints a <see cref="LoadResult"/>.
    /// </summary>
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
            int.Parse(Option("--sample-every"), CultureInfo.InvariantCulture),
            options.TryGetValue("--read", out var read) ? Enum.Parse<EndToEndRead>(read, ignoreCase: true) : EndToEndRead.Token,
            TimeSpan.FromSeconds(options.TryGetValue("--warmup", out var warmUp) ? double.Parse(warmUp, CultureInfo.InvariantCulture) : 0));
        // Standard output carries the result and nothing else: the harness reads it whole as one JSON document.
        await using var output = Console.OpenStandardOutput();
        await JsonSerializer.SerializeAsync(output, result, LoadResultJsonContext.Default.LoadResult);
        return 0;
    }

    private static async Task<LoadResult> SendAsync(string url, int rate, TimeSpan duration, int sampleEvery, EndToEndRead read, TimeSpan warmUp)
    {
        using var http = OpenLoop.Client(url);
        var visible = new ConcurrentBag<(double FromPost, double FromCreated)>();
        var posts = new ConcurrentBag<double>();
        int notCreated = 0, unanswered = 0, neverVisible = 0, warmUpSent = 0;
        if (warmUp > TimeSpan.Zero)
        {
            warmUpSent = await OpenLoop.RunAsync(rate, warmUp, index => SendOneAsync(timed: index % sampleEvery == 0));
            visible.Clear();
            posts.Clear();
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var sent = await OpenLoop.RunAsync(rate, duration, index => SendOneAsync(timed: index % sampleEvery == 0));
        var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        // One snapshot of the bag, so that both arrays list the same events in the same order.
        var found = visible.ToArray();
        return new LoadResult(sent, notCreated, unanswered, neverVisible, [.. found.Select(v => v.FromPost)], [.. found.Select(v => v.FromCreated)], [.. posts], warmUpSent, cpuMs);

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

                var createdAt = Stopwatch.GetTimestamp();
                posts.Add(Stopwatch.GetElapsedTime(started, createdAt).TotalMilliseconds);
                if (read == EndToEndRead.Token ? await ReadWithTokenAsync(created) : await PollAsync(created.Headers.Location!))
                {
                    var found = Stopwatch.GetTimestamp();
                    visible.Add((Stopwatch.GetElapsedTime(started, found).TotalMilliseconds, Stopwatch.GetElapsedTime(createdAt, found).TotalMilliseconds));
                    return;
                }

                Interlocked.Increment(ref neverVisible);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Counted, not thrown: the run reports how many requests went unanswered instead of ending at the first.
                Interlocked.Increment(ref unanswered);
            }
        }

        // One GET with the 201's token: the worker answers it as soon as it has stored the event (or 503 past its wait).
        async Task<bool> ReadWithTokenAsync(HttpResponseMessage created)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
            get.Headers.Add(ConsistencyToken.HeaderName, created.Headers.GetValues(ConsistencyToken.HeaderName));
            using var found = await http.SendAsync(get);
            return found.StatusCode == HttpStatusCode.OK;
        }

        // A GET every millisecond without a token, as a client that knows nothing of the token would read.
        async Task<bool> PollAsync(Uri location)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * VisibleWithin.TotalSeconds);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                using var found = await http.GetAsync(location);
                if (found.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                await Task.Delay(1);
            }

            return false;
        }
    }
}
