using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Shared.Contracts.Grpc;
using TestSupport;

namespace SystemTests;

/// <summary>
/// A worker killed with SIGKILL after it stored events but before auto-commit sent their offsets (it commits every
/// second). Its partitions' new owner must process those events again; until it has, an answer that includes the
/// partitions would lack events that earlier answers listed. The guard: no 200 ever lacks an event an earlier 200
/// listed. Run as processes, as deployed: the API and two workers, each killed in turn and started again, with the
/// development broker in the test process.
/// </summary>
public sealed class CrashBeforeCommitTests
{
    private const int Partitions = 3;
    private const int Workers = 2;
    private const int BurstEvents = 2000;

    /// <summary>Each batch of a burst has a user of its own, so one page (at most 1,000 events) lists it whole.</summary>
    private const int BatchEvents = 500;

    /// <summary>Rounds of burst, kill and restart: each kill lands between a store and its commit.</summary>
    private const int Rounds = 2;

    /// <summary>Kafka's OffsetCommit request.</summary>
    private const short OffsetCommit = 8;

    /// <summary>
    /// OFFSET_METADATA_TOO_LARGE: librdkafka takes it as a permanent failure of that commit (no retry, no rejoin), so
    /// each auto-commit fails once and the offsets stay stored but not committed.
    /// </summary>
    private const int CommitRefused = 12;

    [Fact]
    public async Task A_worker_killed_after_storing_events_it_had_not_committed_never_makes_a_later_answer_lack_what_an_earlier_one_listed()
    {
        await using var deployment = await ProcessDeployment.StartAsync(
            workers: Workers,
            partitions: Partitions,
            settings: new Dictionary<string, string> { ["KAFKA_SESSION_TIMEOUT_MS"] = "6000", ["LOG_LEVEL"] = "Information" });
        await using var answers = new AnswerWatcher(deployment.Api.Http);
        answers.Watch("/events/processed");
        var accepted = new List<Guid>();
        var report = new StringBuilder();
        for (var round = 1; round <= Rounds; round++)
        {
            await WaitUntilSettledAsync(deployment, accepted);
            // From here the group's commits fail, so the kill below lands between the burst's store and its commit
            // however slowly this machine runs (auto-commit would otherwise send the offsets within a second).
            deployment.Broker.PushRequestErrors(OffsetCommit, [.. Enumerable.Repeat(CommitRefused, 10_000)]);
            var burst = await PostBurstAsync(deployment, $"burst-{round}");
            accepted.AddRange(burst.SelectMany(b => b.Ids));
            foreach (var (url, _) in burst)
            {
                answers.Watch(url);
            }

            await Eventually.UntilAsync(async () => await ListedAsync(deployment, "/events/processed") == accepted.Count, "the burst to be processed");
            var (victim, owned) = await LargestOwnerAsync(deployment);
            deployment.CrashWorker(victim);
            var killed = DateTime.UtcNow;
            deployment.Broker.ClearRequestErrors(OffsetCommit);

            // The dead member commits nothing more, so this is what it had stored without committing.
            var uncommitted = owned.Sum(p =>
                KafkaTestClient.Watermarks(deployment.Broker.BootstrapServers, "user-activity-events", p).High.Value
                - Math.Max(0, KafkaTestClient.CommittedOffset(deployment.Broker.BootstrapServers, "user-activity-consumer-group", "user-activity-events", p).Value));
            var complete = await WaitUntilCompleteAsync(deployment, accepted);
            var unserved = Min(complete, answers.FirstComplete("/events/processed", accepted.Count, after: killed)) - killed;
            report.AppendLine(CultureInfo.InvariantCulture, $"round {round}: killed worker {victim} (partitions {string.Join(",", owned)}) with {uncommitted} events stored but not committed; partitions not served for {unserved.TotalSeconds:0.0} s until the first complete answer");
            report.AppendLine(Milestones(deployment.Output, killed));
            Assert.True(uncommitted > 0, $"Round {round}: the killed worker had committed everything it stored, so the round tests nothing.\n{report}");
            deployment.StartWorker(victim);
        }

        await answers.DisposeAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(answers.Summary);
        Assert.True(answers.Regressions.IsEmpty, $"A complete answer lacked events an earlier one listed:\n{string.Join('\n', answers.Regressions)}\n{report}");
        Assert.Equal(accepted.Order(), (await deployment.Api.ListAsync()).Select(e => e.EventId).Order());
    }

    /// <summary>Every worker has joined and serves what it owns, and the API answers a complete list.</summary>
    private static async Task WaitUntilSettledAsync(ProcessDeployment deployment, List<Guid> accepted)
    {
        await Eventually.UntilAsync(
            async () =>
            {
                foreach (var worker in Enumerable.Range(0, Workers))
                {
                    try
                    {
                        using var ready = await deployment.Api.Http.GetAsync(new Uri(deployment.WorkerHealthUrlAt(worker), "/health/ready"));
                        if (ready.StatusCode != HttpStatusCode.OK)
                        {
                            return false;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // A restarted worker that does not listen yet: not ready.
                        return false;
                    }
                }

                return true;
            },
            "every worker to be ready",
            TimeSpan.FromSeconds(60));
        await WaitUntilCompleteAsync(deployment, accepted);
    }

    private static async Task<int> ListedAsync(ProcessDeployment deployment, string url)
    {
        using var response = await deployment.Api.Http.GetAsync(new Uri(url, UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK ? EventIds(await response.Content.ReadAsByteArrayAsync()).Count : -1;
    }

    /// <summary>Waits until the API answers a complete list holding every accepted event; returns when it did.</summary>
    private static async Task<DateTime> WaitUntilCompleteAsync(ProcessDeployment deployment, List<Guid> accepted)
    {
        var at = DateTime.MaxValue;
        await Eventually.UntilAsync(
            async () =>
            {
                using var response = await deployment.Api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                at = DateTime.UtcNow;
                var listed = EventIds(await response.Content.ReadAsByteArrayAsync());
                return listed.Count == accepted.Count && listed.ToHashSet().SetEquals(accepted);
            },
            "a complete answer holding every accepted event",
            TimeSpan.FromSeconds(90));
        return at;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The worker that serves the most partitions now, with those partitions.</summary>
    private static async Task<(int Worker, List<int> Partitions)> LargestOwnerAsync(ProcessDeployment deployment)
    {
        var owned = new List<(int Worker, List<int> Partitions)>();
        foreach (var worker in Enumerable.Range(0, Workers))
        {
            using var channel = GrpcChannel.ForAddress(deployment.WorkerGrpcUrlAt(worker));
            var ownership = await new ProcessedEvents.ProcessedEventsClient(channel).GetOwnershipAsync(new GetOwnershipRequest());
            owned.Add((worker, [.. ownership.Partitions]));
        }

        return owned.MaxBy(o => o.Partitions.Count);
    }

    /// <summary>
    /// Posts a burst of events in concurrent batches, each event with an id of the test's choosing and each batch with a
    /// user of its own; returns each batch's query and ids.
    /// </summary>
    private static async Task<List<(string Url, List<Guid> Ids)>> PostBurstAsync(ProcessDeployment deployment, string name)
    {
        var batches = Enumerable.Range(0, BurstEvents / BatchEvents)
            .Select(b => (User: $"{name}-{b}", Ids: Enumerable.Range(0, BatchEvents).Select(_ => Guid.NewGuid()).ToList()))
            .ToList();
        await Task.WhenAll(batches.Select(async batch =>
        {
            var body = "[" + string.Join(",", batch.Ids.Select(id => $$$"""{"eventId":"{{{id}}}","userId":"{{{batch.User}}}","eventType":"PRODUCT_VIEW","payload":{}}""")) + "]";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await deployment.Api.Http.PostAsync(new Uri("/events/generate/batch", UriKind.Relative), content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK && text.Contains($"\"accepted\":{BatchEvents}", StringComparison.Ordinal), $"the batch answered {(int)response.StatusCode}: {text}");
        }));
        return [.. batches.Select(b => ($"/events/processed?userId={b.User}&limit={BatchEvents}", b.Ids))];
    }

    private static List<Guid> EventIds(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid())];
    }

    /// <summary>When, after the kill, the survivors were given partitions, finished rebuilding and served them: from their logs.</summary>
    private static string Milestones(string output, DateTime killed)
    {
        var lines = new List<string>();
        foreach (var line in output.Split('\n'))
        {
            var json = line.IndexOf('{', StringComparison.Ordinal);
            if (json < 0 || !(line.Contains("Assigned partitions", StringComparison.Ordinal)
                || line.Contains("Rebuilt partition", StringComparison.Ordinal)
                || line.Contains("Serving partition", StringComparison.Ordinal)))
            {
                continue;
            }

            try
            {
                using var entry = JsonDocument.Parse(line[json..]);
                var at = entry.RootElement.GetProperty("@t").GetDateTime().ToUniversalTime();
                if (at > killed)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"  +{(at - killed).TotalSeconds:0.00} s {line[..json].Trim()} {entry.RootElement.GetProperty("@m").GetString()}"));
                }
            }
            catch (JsonException)
            {
                // Not a log entry of the services (a line of another tool): not a milestone.
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>
    /// Asks the API again and again, in the background and from several clients at once, for each watched URL. An answer
    /// (200) must hold every event of the answers to the same URL that had arrived before it was asked for; one that
    /// lacks any, or lists one twice, is a regression.
    /// </summary>
    private sealed class AnswerWatcher : IAsyncDisposable
    {
        private const int Clients = 3;
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<string, ImmutableHashSet<Guid>> _listed = new();
        private readonly ConcurrentQueue<(string Url, DateTime At, int Count)> _complete = new();
        private readonly Task[] _loops;
        private int _ok;
        private int _unavailable;

        public AnswerWatcher(HttpClient http)
        {
            _http = http;
            _loops = [.. Enumerable.Range(0, Clients).Select(_ => Task.Run(LoopAsync))];
        }

        public ConcurrentQueue<string> Regressions { get; } = new();

        public string Summary => $"Answers watched: {_ok} complete (200), {_unavailable} refused (503).";

        public void Watch(string url) => _listed.TryAdd(url, []);

        /// <summary>When the first 200 of <paramref name="url"/> after <paramref name="after"/> listed at least <paramref name="count"/> events.</summary>
        public DateTime FirstComplete(string url, int count, DateTime after) =>
            _complete.Where(c => c.Url == url && c.At > after && c.Count >= count).Select(c => c.At).DefaultIfEmpty(DateTime.MaxValue).Min();

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync();
                await Task.WhenAll(_loops);
            }

            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var url in _listed.Keys)
                {
                    try
                    {
                        await AskAsync(url);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // The API is busy or the watch is ending; the next round asks again.
                    }
                }
            }
        }

        private async Task AskAsync(string url)
        {
            var before = _listed[url];
            using var response = await _http.GetAsync(new Uri(url, UriKind.Relative), _stop.Token);
            var answered = DateTime.UtcNow;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _unavailable);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    Regressions.Enqueue($"{url} answered {(int)response.StatusCode}");
                }

                return;
            }

            var listed = EventIds(await response.Content.ReadAsByteArrayAsync(_stop.Token));
            Interlocked.Increment(ref _ok);
            var now = listed.ToHashSet();
            if (now.Count != listed.Count)
            {
                Regressions.Enqueue($"{url} listed {listed.Count - now.Count} events twice");
            }

            if (!before.IsSubsetOf(now))
            {
                Regressions.Enqueue($"{url} answered at {answered:HH:mm:ss.fff} lacked {before.Except(now).Count} of the {before.Count} events earlier answers listed");
            }

            _listed.AddOrUpdate(url, _ => [.. now], (_, known) => known.Union(now));
            _complete.Enqueue((url, answered, listed.Count));
        }
    }
}
