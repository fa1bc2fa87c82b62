using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace OutageClients;

/// <summary>
/// One client posting one event after another, as the API tells clients to behave through an outage: an event
/// answered 503 with Retry-After is posted again, with the same eventId, until it is accepted. Every 201 is recorded;
/// any other answer, or none, is unexpected and stops it.
/// </summary>
/// <param name="api">The API's address.</param>
/// <param name="userId">The userId of every event it posts.</param>
/// <param name="pause">A pause after each 201, to bound the rate; none posts as fast as the API answers.</param>
public sealed class RetryingPoster(Uri api, string userId, TimeSpan pause = default) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
    private readonly ConcurrentQueue<long> _acceptedAt = new();
    private Guid _next = Guid.NewGuid();
    // Read by another client's thread: a reference, so that it is never seen half written.
    private volatile StrongBox<Guid>? _lastAccepted;
    private int _refused;

    /// <summary>Every eventId answered 201.</summary>
    public ConcurrentDictionary<Guid, byte> Accepted { get; } = new();

    /// <summary>Answers other than 201 and 503 with Retry-After, and requests that got no answer.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>The 503 answers.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public RefusalWindows RefusalWindows { get; } = new();

    /// <summary>The eventId accepted last, or null before the first 201.</summary>
    public Guid? LastAccepted => _lastAccepted?.Value;

    /// <summary>When the first 201 answered after <paramref name="timestamp"/> (a Stopwatch timestamp) arrived, if one has.</summary>
    public long? FirstAcceptedAfter(long timestamp) => _acceptedAt.Where(at => at > timestamp).Cast<long?>().FirstOrDefault();

    /// <summary>Posts until <paramref name="stop"/> is cancelled or an answer is unexpected; a request under way is finished.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Unexpected.IsEmpty)
        {
            if (await PostNextAsync() && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// After the traffic stopped: the event refused last (or, if none was, one more) posted until it is accepted, so
    /// that every event this client ever posted counts. False when it was not accepted within
    /// <paramref name="timeout"/>, or an answer was unexpected.
    /// </summary>
    public async Task<bool> FinishAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Unexpected.IsEmpty && deadline.Elapsed < timeout)
        {
            if (await PostNextAsync())
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>True when the event was accepted; the next call then posts a new one.</summary>
    private async Task<bool> PostNextAsync()
    {
        try
        {
            using var content = new StringContent(
                $$$"""{"eventId":"{{{_next}}}","userId":"{{{userId}}}","eventType":"PRODUCT_VIEW","payload":{"n":1}}""", Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri("/events/generate", UriKind.Relative), content, CancellationToken.None);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Created:
                    var at = Stopwatch.GetTimestamp();
                    Accepted[_next] = 0;
                    _lastAccepted = new StrongBox<Guid>(_next);
                    _acceptedAt.Enqueue(at);
                    RefusalWindows.Succeeded(at);
                    _next = Guid.NewGuid();
                    return true;
                case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                    Interlocked.Increment(ref _refused);
                    RefusalWindows.Refused();
                    // Sooner than Retry-After asks, so that each recovery is noticed at once, but no flood.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                    return false;
                default:
                    Unexpected.Enqueue($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    return false;
            }
        }
        catch (HttpRequestException ex)
        {
            Unexpected.Enqueue($"POST failed: {ex.Message}");
            return false;
        }
        catch (TaskCanceledException)
        {
            Unexpected.Enqueue($"POST got no answer within {_http.Timeout.TotalSeconds:0} s");
            return false;
        }
    }
}
