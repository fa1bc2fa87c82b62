using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace SystemTests;

/// <summary>
/// The broker goes down and comes back again and again, for different lengths, some longer than the worker's session
/// timeout, while one client posts events one after another and another lists them. Both processes must stay up
/// through all of it (one librdkafka call pattern once aborted the API at the second outage), every event answered
/// 201 must end up listed exactly once, and an event once listed must never be answered 404 or be missing from a
/// complete list later. A 503 is retried with the same eventId, as the API tells clients to.
/// </summary>
public sealed class RepeatedOutageTests
{
    /// <summary>Five outages; the second and fourth outlast the worker's session timeout (6 s here).</summary>
    private static readonly TimeSpan[] Outages =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(3)];

    [Fact]
    public async Task Both_processes_survive_five_broker_outages_under_traffic_and_every_accepted_event_is_listed_exactly_once()
    {
        await using var stack = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["PUBLISH_TIMEOUT_MS"] = "1500",
            ["LOG_LEVEL"] = "Warning",
        });
        using var stop = new CancellationTokenSource();
        var poster = new Poster(stack.Api.Http.BaseAddress!);
        var lister = new Lister(stack.Api.Http.BaseAddress!);
        var posting = Task.Run(() => poster.RunAsync(stop.Token), TestContext.Current.CancellationToken);
        var listing = Task.Run(() => lister.RunAsync(stop.Token), TestContext.Current.CancellationToken);
        string Alive() => stack.ApiProcess.Exited.IsCompleted || stack.Worker.Exited.IsCompleted
            ? $"a process exited (API {(stack.ApiProcess.Exited.IsCompleted ? "exited" : "up")}, worker {(stack.Worker.Exited.IsCompleted ? "exited" : "up")}):\n{Tail(stack.Output)}"
            : string.Empty;

        foreach (var outage in Outages)
        {
            await Eventually.UntilAsync(() => Task.FromResult((!poster.Accepted.IsEmpty && lister.Complete > 0) || Alive().Length > 0), "traffic to flow");
            stack.Broker.SetBrokerDown(1);
            await Task.Delay(outage, TestContext.Current.CancellationToken);
            stack.Broker.SetBrokerUp(1);
            var acceptedBefore = poster.Accepted.Count;
            await Eventually.UntilAsync(
                () => Task.FromResult(poster.Accepted.Count > acceptedBefore || Alive().Length > 0),
                $"an event to be accepted after an outage of {outage.TotalSeconds:0} s",
                TimeSpan.FromSeconds(30));
            Assert.True(Alive().Length == 0, Alive());
        }

        await stop.CancelAsync();
        await Task.WhenAll(posting, listing);
        // The event refused last, if any, is retried once Kafka is back for good: every 201 counts, and only those.
        await poster.FinishAsync();
        List<Guid> listed = [];
        await Eventually.UntilAsync(
            async () =>
            {
                using var http = new HttpClient { BaseAddress = stack.Api.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
                using var response = await http.GetAsync(new Uri("/events/processed", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                listed = Ids(await response.Content.ReadAsStringAsync());
                return poster.Accepted.Keys.All(listed.ToHashSet().Contains);
            },
            $"the {poster.Accepted.Count} accepted events to be listed",
            TimeSpan.FromSeconds(60));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{poster.Accepted.Count} events accepted, {poster.Refused} answers 503; lists: {lister.Complete} complete, {lister.Unavailable} 503");
        Assert.True(Alive().Length == 0, Alive());
        Assert.Empty(poster.Unexpected);
        Assert.Empty(lister.Unexpected);
        // What the worker once served it keeps serving (issue 15, item 3): no 404 and no hole for a processed event.
        Assert.True(lister.Forgotten.IsEmpty, $"{lister.Forgotten.Count} answers forgot processed events:\n{string.Join('\n', lister.Forgotten.Take(5))}");
        Assert.True(poster.Refused > 0, "the outages should have refused some events");
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(poster.Accepted.Keys.Order(), listed.Order());
    }

    private static List<Guid> Ids(string json)
    {
        using var list = JsonDocument.Parse(json);
        return [.. list.RootElement.EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid())];
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

    /// <summary>One client posting one event after another; a refused event is posted again, with its eventId, until accepted.</summary>
    private sealed class Poster(Uri api)
    {
        private readonly HttpClient _http = new() { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
        private Guid _next = Guid.NewGuid();
        private int _refused;

        public ConcurrentDictionary<Guid, byte> Accepted { get; } = new();

        public ConcurrentQueue<string> Unexpected { get; } = new();

        public int Refused => Volatile.Read(ref _refused);

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested && Unexpected.IsEmpty)
            {
                await PostNextAsync();
            }
        }

        /// <summary>After the outages: the last refused event, posted until it is accepted.</summary>
        public async Task FinishAsync()
        {
            if (!Accepted.ContainsKey(_next))
            {
                await Eventually.UntilAsync(async () => await PostNextAsync() || !Unexpected.IsEmpty, "the last refused event to be accepted");
            }
        }

        private async Task<bool> PostNextAsync()
        {
            try
            {
                using var content = new StringContent(
                    $$$"""{"eventId":"{{{_next}}}","userId":"outage-client","eventType":"PRODUCT_VIEW","payload":{"n":1}}""", Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(new Uri("/events/generate", UriKind.Relative), content);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Created:
                        Accepted[_next] = 0;
                        _next = Guid.NewGuid();
                        return true;
                    case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                        Interlocked.Increment(ref _refused);
                        // Sooner than Retry-After asks, so that the test notices each recovery at once, but no flood.
                        await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                        return false;
                    default:
                        Unexpected.Enqueue($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        return false;
                }
            }
            catch (HttpRequestException ex)
            {
                Unexpected.Enqueue($"POST failed: {ex.Message}");
                return false;
            }
        }
    }

    /// <summary>
    /// Another client listing all the time, and fetching one event it has seen listed: each list is complete or a 503,
    /// never one with doubles; an event once listed is never missing from a later list nor answered 404 later.
    /// </summary>
    private sealed class Lister(Uri api)
    {
        private readonly HttpClient _http = new() { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
        private readonly List<Guid> _seen = [];
        private readonly HashSet<Guid> _seenIds = [];
        private int _complete;
        private int _unavailable;

        public ConcurrentQueue<string> Unexpected { get; } = new();

        /// <summary>Events once listed that a later answer said were not processed.</summary>
        public ConcurrentQueue<string> Forgotten { get; } = new();

        public int Complete => Volatile.Read(ref _complete);

        public int Unavailable => Volatile.Read(ref _unavailable);

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested && Unexpected.IsEmpty)
            {
                try
                {
                    // A request under way is finished when the test stops listing: no answer is cut off.
                    using var response = await _http.GetAsync(new Uri("/events/processed", UriKind.Relative), CancellationToken.None);
                    var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var ids = Ids(text);
                        if (ids.Count != ids.Distinct().Count())
                        {
                            Unexpected.Enqueue($"a list named an event twice: {text}");
                        }

                        var listed = ids.ToHashSet();
                        foreach (var missing in _seen.Where(id => !listed.Contains(id)).Take(3))
                        {
                            Forgotten.Enqueue($"{missing} was listed before and is missing from a complete list of {ids.Count}");
                        }

                        _seen.AddRange(ids.Where(_seenIds.Add));
                        Interlocked.Increment(ref _complete);
                        await FindSeenAsync();
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref _unavailable);
                    }
                    else
                    {
                        Unexpected.Enqueue($"GET answered {(int)response.StatusCode}: {text}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    Unexpected.Enqueue($"GET failed: {ex.Message}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }

        /// <summary>GET one event seen listed before: 200, or 503 while the workers cannot answer, never 404.</summary>
        private async Task FindSeenAsync()
        {
            if (_seen.Count == 0)
            {
                return;
            }

            var id = _seen[Random.Shared.Next(_seen.Count)];
            using var response = await _http.GetAsync(new Uri($"/events/processed/{id}", UriKind.Relative), CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                Forgotten.Enqueue($"{id} was listed before and GET answered 404: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
            else if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
            {
                Unexpected.Enqueue($"GET {id} answered {(int)response.StatusCode}");
            }
        }
    }
}
