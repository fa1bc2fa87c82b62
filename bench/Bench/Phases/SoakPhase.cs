using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Launcher;
using OutageClients;

namespace Bench.Phases;

/// <summary>What one cycle of the soak saw, as Stopwatch timestamps: the broker down, up, and the clients answered again.</summary>
internal sealed record SoakCycle(Outage Outage, long Down, long Up, long PostBack, long ListBack)
{
    public TimeSpan PostRecovery => Stopwatch.GetElapsedTime(Up, PostBack);

    public TimeSpan ListRecovery => Stopwatch.GetElapsedTime(Up, ListBack);
}

/// <summary>
/// A survival test, not a timing benchmark: the development broker taken down and brought up again
/// <see cref="BenchSettings.SoakCycles"/> times (50 in ten minutes in full mode), for lengths from 50 ms to twice the
/// workers' session timeout, while one client posts (a 503 posted again with the same eventId) and another lists and
/// looks up one event at a time (the same clients as the repeated-outage system test). It fails the run when the API
/// or a worker exits, a POST answers anything but 201 or 503, an event answered 201 is not listed exactly once at the
/// end, or an event once listed or found is answered 404 or left out of a later complete list; and reports how long
/// POST and the list took to answer again after each outage.
/// </summary>
internal sealed class SoakPhase(BenchSettings settings, Report report)
{
    private const string Topic = "bench-soak";
    private const int Partitions = 3;

    /// <summary>Two workers, so that partitions the group took away during an outage may come back to another one.</summary>
    private const int Workers = 2;

    /// <summary>About 25 events a second: ten minutes stay far below the development broker's 5 MiB per partition.</summary>
    private static readonly TimeSpan PostPause = TimeSpan.FromMilliseconds(40);

    /// <summary>A complete list is parsed whole; four a second keep the lister's own cost small.</summary>
    private static readonly TimeSpan ListPause = TimeSpan.FromMilliseconds(250);

    /// <summary>How long POST and the list may take to answer again after the broker is back.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(60);

    /// <summary>Traffic that flows between one outage and the next, at the least.</summary>
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan SessionTimeout =
        TimeSpan.FromMilliseconds(int.Parse(ServiceEnvironment.DevelopmentSessionTimeoutMs, CultureInfo.InvariantCulture));

    public async Task RunAsync()
    {
        var schedule = Outage.Schedule(settings.SoakCycles, settings.SoakSeed, SessionTimeout);
        var planned = settings.SoakSlot * settings.SoakCycles;
        var limit = (planned * 1.5) + TimeSpan.FromMinutes(2);
        await using var cluster = BenchCluster.Start(GroupJoinDelay.For(Workers));
        cluster.CreateTopic(Topic, Partitions);
        var group = $"bench-soak-{Guid.NewGuid():N}";
        // DevStack's session timeout, so that the long outages outlast it.
        var session = new Dictionary<string, string> { ["KAFKA_SESSION_TIMEOUT_MS"] = ServiceEnvironment.DevelopmentSessionTimeoutMs };
        var workers = await Task.WhenAll(Enumerable.Range(0, Workers)
            .Select(i => cluster.StartWorkerAsync(ServiceEnvironment.WorkerName(i), Topic, group, overrides: session)));
        var api = await cluster.StartApiAsync(Topic, group, workers, settings.ApiEnvironment);
        Service[] services = [api, .. workers];

        using var poster = new RetryingPoster(new Uri(api.Url), "soak-client", PostPause);
        using var lister = new RememberingLister(new Uri(api.Url), poster, ListPause);
        using var stop = new CancellationTokenSource();
        var posting = Task.Run(() => poster.RunAsync(stop.Token));
        var listing = Task.Run(() => lister.RunAsync(stop.Token));
        var clock = Stopwatch.StartNew();
        var cycles = new List<SoakCycle>();
        string? Broken() =>
            services.FirstOrDefault(s => s.Process.Exited.IsCompleted) is { } exited ? $"{exited.Name} exited with code {exited.Process.ExitCode}:\n{exited.Log}"
            : poster.Unexpected.Concat(lister.Unexpected).FirstOrDefault();
        var broken = await WaitAsync(() => !poster.Accepted.IsEmpty && lister.Complete > 0, Broken, "traffic to flow");
        foreach (var outage in schedule)
        {
            if (broken is not null)
            {
                break;
            }

            if (clock.Elapsed > limit)
            {
                broken = $"the soak ran out of its {limit.TotalMinutes:0} minutes after {cycles.Count} of {schedule.Count} cycles";
                break;
            }

            var slotEnd = clock.Elapsed + settings.SoakSlot;
            var down = Stopwatch.GetTimestamp();
            cluster.SetBrokerDown();
            await Task.Delay(outage.Length);
            cluster.SetBrokerUp();
            var up = Stopwatch.GetTimestamp();
            broken = await WaitAsync(
                () => poster.FirstAcceptedAfter(up) is not null && lister.FirstCompleteAfter(up) is not null,
                Broken,
                string.Create(CultureInfo.InvariantCulture, $"a 201 and a complete list after outage {outage.Cycle} ({outage.Length.TotalSeconds:0.0} s)"));
            if (broken is not null)
            {
                break;
            }

            var cycle = new SoakCycle(outage, down, up, poster.FirstAcceptedAfter(up)!.Value, lister.FirstCompleteAfter(up)!.Value);
            cycles.Add(cycle);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak cycle {outage.Cycle}/{schedule.Count}: {outage.Kind} outage of {outage.Length.TotalSeconds:0.00} s; POST back after {cycle.PostRecovery.TotalSeconds:0.00} s, the list after {cycle.ListRecovery.TotalSeconds:0.00} s; {poster.Accepted.Count} events accepted"));
            // Traffic flows between outages: to the end of the cycle's share of the soak's length, and at least a second.
            var gap = slotEnd - clock.Elapsed;
            await Task.Delay(gap > MinimumGap ? gap : MinimumGap);
        }

        await stop.CancelAsync();
        await Task.WhenAll(posting, listing);
        var elapsed = clock.Elapsed;
        if (broken is not null)
        {
            report.Fail($"soak: {broken}");
        }

        await CheckEndAsync(cluster, services, poster, lister, schedule);
        Summarize(schedule, cycles, poster, lister, elapsed);
    }

    /// <summary>After the last cycle: every 201 listed exactly once, nothing forgotten, every process still up.</summary>
    private async Task CheckEndAsync(BenchCluster cluster, Service[] services, RetryingPoster poster, RememberingLister lister, IReadOnlyList<Outage> schedule)
    {
        report.Check(await poster.FinishAsync(RecoveryLimit), $"soak: the event refused last was not accepted within {RecoveryLimit.TotalSeconds:0} s of the last outage");
        var listed = await lister.ListAllAsync(poster.Accepted.Keys, RecoveryLimit);
        if (listed is null)
        {
            report.Fail($"soak: the {poster.Accepted.Count} events answered 201 were not all listed within {RecoveryLimit.TotalSeconds:0} s of the end");
        }
        else
        {
            report.Check(listed.Count == listed.Distinct().Count(), $"soak: the last list named {listed.Count - listed.Distinct().Count()} events twice");
            var unknown = listed.Count(id => !poster.Accepted.ContainsKey(id));
            report.Check(unknown == 0, $"soak: the last list named {unknown} events that were never answered 201");
        }

        foreach (var service in services)
        {
            report.Check(!service.Process.Exited.IsCompleted, $"soak: {service.Name} exited{(service.Process.Exited.IsCompleted ? $" with code {service.Process.ExitCode}" : "")}:\n{service.Log}");
        }

        foreach (var unexpected in poster.Unexpected.Concat(lister.Unexpected).Take(5))
        {
            report.Fail($"soak: {unexpected}");
        }

        foreach (var forgotten in lister.Forgotten.Take(5))
        {
            report.Fail($"soak: an event was forgotten: {forgotten}");
        }

        report.Check(
            poster.Refused > 0 || !schedule.Any(o => o.Kind == OutageKind.Long),
            "soak: no POST was answered 503, though the broker was down for longer than the session timeout");
        var logStart = await LowestLogStartAsync(cluster);
        report.Check(logStart == 0, $"soak: the development broker's retention dropped the start of {Topic} (a log start at {logStart})");
    }

    /// <summary>
    /// The lowest log start offset of the soak's partitions. The harness's own consumer lost its connection in every
    /// outage, and librdkafka reconnects after a backoff of up to 10 s: it is asked again until it answers.
    /// </summary>
    private static async Task<long> LowestLogStartAsync(BenchCluster cluster)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return cluster.LowestLogStart(Topic, Partitions);
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_TimedOut && deadline.Elapsed < RecoveryLimit)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>
    /// Waits for <paramref name="condition"/>, which only the clients' answers can tell, for up to
    /// <see cref="RecoveryLimit"/>; returns what broke instead (<paramref name="broken"/>: a process that exited, an
    /// unexpected answer), or that the time ran out.
    /// </summary>
    private static async Task<string?> WaitAsync(Func<bool> condition, Func<string?> broken, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (broken() is { } reason)
            {
                return $"{reason} (while waiting for {what})";
            }

            if (deadline.Elapsed > RecoveryLimit)
            {
                return $"no {what} within {RecoveryLimit.TotalSeconds:0} s";
            }

            await Task.Delay(20);
        }

        return broken();
    }

    private void Summarize(IReadOnlyList<Outage> schedule, List<SoakCycle> cycles, RetryingPoster poster, RememberingLister lister, TimeSpan elapsed)
    {
        var postWindows = poster.RefusalWindows.Closed;
        var listWindows = lister.RefusalWindows.Closed;
        // A cycle's 503 windows are those that opened between its outage's start and the next outage's.
        IEnumerable<RefusalWindow> In(IReadOnlyCollection<RefusalWindow> windows, int index) =>
            windows.Where(w => w.Start >= cycles[index].Down && (index + 1 == cycles.Count || w.Start < cycles[index + 1].Down));
        var rows = cycles.Select((cycle, i) => new
        {
            Cycle = cycle,
            Post = In(postWindows, i).Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Length),
            List = In(listWindows, i).Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Length),
        }).ToList();

        var byKind = rows.GroupBy(r => r.Cycle.Outage.Kind).OrderBy(g => g.Key).Select(g => new[]
        {
            Describe(g.Key),
            g.Count().ToString(CultureInfo.InvariantCulture),
            new Sample(g.Select(r => r.Cycle.Outage.Length.TotalSeconds)).Format("0.00"),
            $"{g.Count(r => r.Post > TimeSpan.Zero)} of {g.Count()}",
            new Sample(g.Select(r => r.Post.TotalSeconds)).Format("0.0"),
            new Sample(g.Select(r => r.Cycle.PostRecovery.TotalSeconds)).Format("0.00"),
            $"{g.Count(r => r.List > TimeSpan.Zero)} of {g.Count()}",
            new Sample(g.Select(r => r.List.TotalSeconds)).Format("0.0"),
            new Sample(g.Select(r => r.Cycle.ListRecovery.TotalSeconds)).Format("0.00"),
        });
        var perCycle = rows.Select(r => new[]
        {
            r.Cycle.Outage.Cycle.ToString(CultureInfo.InvariantCulture),
            Describe(r.Cycle.Outage.Kind),
            r.Cycle.Outage.Length.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
            r.Post.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
            r.Cycle.PostRecovery.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
            r.List.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
            r.Cycle.ListRecovery.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
        });
        report.Section($"Soak: {schedule.Count} broker outages under traffic", string.Create(CultureInfo.InvariantCulture, $"""
            A survival test, not a timing benchmark. {cycles.Count} of {schedule.Count} cycles in {elapsed.TotalMinutes:0.0} min (outage lengths from seed
            {settings.SoakSeed}: `bash bench/run --only soak --cycles {schedule.Count} --seed {settings.SoakSeed}` replays them). {Workers} workers, {Partitions} partitions, the
            workers' session timeout {SessionTimeout.TotalSeconds:0} s. One client posts about {1 / PostPause.TotalSeconds:0} events/s and posts a 503 again with the same eventId;
            another lists {1 / ListPause.TotalSeconds:0} times a second and looks up one event it has seen and the one accepted last.

            Events answered 201: {poster.Accepted.Count:N0}. POST answered 503 {poster.Refused:N0} times, in {postWindows.Count} windows (a window: from the
            first 503 to the next 201), the longest {(postWindows.Count == 0 ? 0 : postWindows.Max(w => w.Length.TotalSeconds)):0.0} s. Lists: {lister.Complete:N0} complete, {lister.Unavailable:N0} answered 503 in
            {listWindows.Count} windows, the longest {(listWindows.Count == 0 ? 0 : listWindows.Max(w => w.Length.TotalSeconds)):0.0} s. Events listed or found by the lister: {lister.Seen:N0}.
            "Back after": from the broker's return to the first 201, and to the first complete list asked for after it.

            {Report.Table(["outage", "cycles", "length s", "POST 503 window", "POST 503 s", "POST back after s", "list 503 window", "list 503 s", "list back after s"], byKind)}
            Medians with the range (min–max) over the cycles of each kind. Every cycle:

            {Report.Table(["cycle", "outage", "length s", "POST 503 s", "POST back after s", "list 503 s", "list back after s"], perCycle)}
            """));
    }

    private static string Describe(OutageKind kind) => kind switch
    {
        OutageKind.VeryShort => "very short",
        OutageKind.Medium => "medium",
        _ => "longer than the session",
    };
}
