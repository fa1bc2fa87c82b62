using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace OutageClients;

/// <summary>
/// Another client listing all the time and remembering what it saw. Each list must be complete (200) or a 503, never
/// one that names an event twice. After each answer it asks for one event it has seen (200 or 503, never 404) and for
/// the event <paramref name="poster"/> had accepted last (a 200 adds it to what was seen; a 404 is allowed, it may
/// not be processed yet). An event once listed or found must never be answered 404 later, nor be missing from a
/// later complete list.
/// </summary>
/// <param name="api">The API's address.</param>
/// <param name="poster">The client posting alongside, whose latest event is looked up; none looks up only what was listed.</param>
/// <param name="pause">The pause between one round (a list and its look-ups) and the next.</param>
public sealed class RememberingLister(Uri api, RetryingPoster? poster = null, TimeSpan? pause = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
    private readonly TimeSpan _pause = pause ?? TimeSpan.FromMilliseconds(50);
    private readonly List<Guid> _seen = [];
    private readonly HashSet<Guid> _seenIds = [];
    private readonly ConcurrentQueue<(long Asked, long Answered)> _complete = new();
    private int _unavailable;
    private int _seenCount;

    /// <summary>Answers other than those allowed, and requests that got no answer.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Events once listed or found that a later answer said were not processed, or left out.</summary>
    public ConcurrentQueue<string> Forgotten { get; } = new();

    /// <summary>The complete lists (200).</summary>
    public int Complete => _complete.Count;

    /// <summary>The lists answered 503.</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>The events listed or found so far.</summary>
    public int Seen => Volatile.Read(ref _seenCount);

    public RefusalWindows RefusalWindows { get; } = new();

    /// <summary>When the first complete list asked for after <paramref name="timestamp"/> (a Stopwatch timestamp) was answered, if one has been.</summary>
    public long? FirstCompleteAfter(long timestamp) =>
        _complete.Where(list => list.Asked > timestamp).Select(list => (long?)list.Answered).FirstOrDefault();

    /// <summary>Lists until <paramref name="stop"/> is cancelled or an answer is unexpected; a request under way is finished.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Unexpected.IsEmpty)
        {
            try
            {
                await ListAsync();
                await FindSeenAsync();
                await FindLatestAsync();
            }
            catch (HttpRequestException ex)
            {
                Unexpected.Enqueue($"GET failed: {ex.Message}");
            }
            catch (TaskCanceledException)
            {
                Unexpected.Enqueue($"GET got no answer within {_http.Timeout.TotalSeconds:0} s");
            }

            await Task.Delay(_pause, CancellationToken.None);
        }
    }

    /// <summary>
    /// After the traffic stopped: the list, asked for until it is complete and holds every event in
    /// <paramref name="accepted"/> (the worker may still be consuming the last ones); null if it did not within
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<Guid>?> ListAllAsync(IEnumerable<Guid> accepted, TimeSpan timeout)
    {
        var expected = accepted.ToHashSet();
        var deadline = Stopwatch.StartNew();
        var pauseBetween = TimeSpan.FromMilliseconds(20);
        while (deadline.Elapsed < timeout)
        {
            using var response = await _http.GetAsync(new Uri("/events/processed", UriKind.Relative), CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var listed = Ids(await response.Content.ReadAsStringAsync(CancellationToken.None));
                if (expected.IsSubsetOf(listed))
                {
                    return listed;
                }
            }

            // Nothing signals that the worker has consumed the last events but the list itself.
            await Task.Delay(pauseBetween, CancellationToken.None);
            pauseBetween = TimeSpan.FromMilliseconds(Math.Min(pauseBetween.TotalMilliseconds * 2, 250));
        }

        return null;
    }

    public void Dispose() => _http.Dispose();

    private async Task ListAsync()
    {
        var asked = Stopwatch.GetTimestamp();
        // A request under way is finished when the listing stops: no answer is cut off.
        using var response = await _http.GetAsync(new Uri("/events/processed", UriKind.Relative), CancellationToken.None);
        var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var answered = Stopwatch.GetTimestamp();
            var ids = Ids(text);
            if (ids.Count != ids.Distinct().Count())
            {
                Unexpected.Enqueue($"a list named an event twice: {text}");
            }

            var listed = ids.ToHashSet();
            foreach (var missing in _seen.Where(id => !listed.Contains(id)).Take(3))
            {
                Forgotten.Enqueue($"{missing} was listed or found before and is missing from a complete list of {ids.Count}");
            }

            foreach (var id in ids)
            {
                Remember(id);
            }

            _complete.Enqueue((asked, answered));
            RefusalWindows.Succeeded(answered);
        }
        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Interlocked.Increment(ref _unavailable);
            RefusalWindows.Refused();
        }
        else
        {
            Unexpected.Enqueue($"GET answered {(int)response.StatusCode}: {text}");
        }
    }

    /// <summary>GET one event seen before: 200, or 503 while the workers cannot answer, never 404.</summary>
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
            Forgotten.Enqueue($"{id} was listed or found before and GET answered 404: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
        }
        else if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
        {
            Unexpected.Enqueue($"GET {id} answered {(int)response.StatusCode}");
        }
    }

    /// <summary>GET the event accepted last: once found (200), it counts as seen.</summary>
    private async Task FindLatestAsync()
    {
        if (poster?.LastAccepted is not { } id || _seenIds.Contains(id))
        {
            return;
        }

        using var response = await _http.GetAsync(new Uri($"/events/processed/{id}", UriKind.Relative), CancellationToken.None);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Remember(id);
        }
        else if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable))
        {
            Unexpected.Enqueue($"GET {id} answered {(int)response.StatusCode}");
        }
    }

    private void Remember(Guid id)
    {
        if (_seenIds.Add(id))
        {
            _seen.Add(id);
            Interlocked.Increment(ref _seenCount);
        }
    }

    private static List<Guid> Ids(string json)
    {
        using var list = JsonDocument.Parse(json);
        return [.. list.RootElement.EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid())];
    }
}
