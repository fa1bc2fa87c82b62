using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;

namespace TestSupport;

/// <summary>
/// The API as a client sees it: POST an event, GET the processed ones. It keeps one consistency token for its session,
/// as a client would: sent with every POST (the answer's token covers both), and with the reads that must reflect
/// every write before them (<see cref="ListAfterWritesAsync"/>, <see cref="FindAfterWritesAsync"/>).
/// </summary>
public sealed class EventsApi(HttpClient http)
{
    private readonly Lock _gate = new();
    private string? _token;

    public HttpClient Http => http;

    /// <summary>The session's token: the last one an answer gave; null before the first.</summary>
    public string? Token
    {
        get
        {
            lock (_gate)
            {
                return _token;
            }
        }
    }

    public async Task<HttpResponseMessage> PostRawAsync(string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/events/generate", UriKind.Relative)) { Content = content };
        if (Token is { } token)
        {
            // The answer's token covers this session's earlier writes and reads as well as this one.
            request.Headers.Add(ConsistencyToken.HeaderName, token);
        }

        var response = await http.SendAsync(request);
        Keep(response);
        return response;
    }

    /// <summary>Posts an event and asserts 201; returns the published event.</summary>
    public async Task<UserActivityEvent> PostAsync(string userId, string eventType, string payloadJson = "{}", Guid? eventId = null) =>
        (await WriteAsync(userId, eventType, payloadJson, eventId)).Event;

    /// <summary>Posts an event and asserts 201; returns the published event, where it was written, and the 201's token.</summary>
    public async Task<Written> WriteAsync(string userId, string eventType, string payloadJson = "{}", Guid? eventId = null)
    {
        var id = eventId is { } given ? $"\"eventId\":\"{given}\"," : string.Empty;
        var body = $"{{{id}\"userId\":{JsonSerializer.Serialize(userId)},\"eventType\":\"{eventType}\",\"payload\":{payloadJson}}}";
        using var response = await PostRawAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return new Written(
            JsonSerializer.Deserialize(text, ContractsJsonContext.Default.UserActivityEvent)!,
            document.RootElement.GetProperty("partition").GetInt32(),
            document.RootElement.GetProperty("offset").GetInt64(),
            Assert.Single(response.Headers.GetValues(ConsistencyToken.HeaderName)));
    }

    /// <summary>
    /// GET with a consistency token (none when null): the answer reflects at least the positions it names. The caller
    /// disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Add(ConsistencyToken.HeaderName, token);
        }

        var response = await http.SendAsync(request);
        Keep(response);
        return response;
    }

    /// <summary>The whole list as it is once every write of this session is in it (read your writes: no polling).</summary>
    public async Task<List<UserActivityEvent>> ListAfterWritesAsync()
    {
        using var response = await GetAsync("/events/processed", Token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /events/processed with the session's token answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, ContractsJsonContext.Default.ListUserActivityEvent)!;
    }

    /// <summary>
    /// One event by id once every write of this session is reflected: found, or null for a 404 (the event's
    /// partition was stored past every position of the token, without it). Anything else fails the test.
    /// </summary>
    public async Task<UserActivityEvent?> FindAfterWritesAsync(Guid eventId)
    {
        using var response = await GetAsync($"/events/processed/{eventId}", Token);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET one with the session's token answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, ContractsJsonContext.Default.UserActivityEvent);
    }

    public async Task<List<UserActivityEvent>> ListAsync()
    {
        using var response = await http.GetAsync(new Uri("/events/processed", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /events/processed answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, ContractsJsonContext.Default.ListUserActivityEvent)!;
    }

    public async Task<UserActivityEvent?> FindAsync(Guid eventId)
    {
        using var response = await http.GetAsync(new Uri($"/events/processed/{eventId}", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET one answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, ContractsJsonContext.Default.UserActivityEvent);
    }

    /// <summary>Waits until every one of these events can be fetched by id.</summary>
    public Task WaitUntilProcessedAsync(IEnumerable<Guid> eventIds, TimeSpan? timeout = null)
    {
        var pending = new HashSet<Guid>(eventIds);
        return Eventually.UntilAsync(
            async () =>
            {
                foreach (var id in pending.ToArray())
                {
                    if (await IsProcessedAsync(id))
                    {
                        pending.Remove(id);
                    }
                }

                return pending.Count == 0;
            },
            $"{pending.Count} events to be processed",
            timeout);
    }

    /// <summary>
    /// True on 200; false while the answer is "not yet": 404, or 503 while no worker serves the event's partition (a
    /// rebalance, a lost partition), which a client retries. Any other answer fails the test.
    /// </summary>
    private async Task<bool> IsProcessedAsync(Guid eventId)
    {
        using var response = await http.GetAsync(new Uri($"/events/processed/{eventId}", UriKind.Relative));
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET one answered {(int)response.StatusCode}: {text}");
        return true;
    }

    /// <summary>
    /// An answer's token joins the session's. Answers to requests sent at the same time arrive in any order, so they
    /// are combined (per partition the higher offset) rather than the last one kept.
    /// </summary>
    private void Keep(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(ConsistencyToken.HeaderName, out var tokens))
        {
            return;
        }

        Assert.True(ConsistencyToken.TryParse(tokens.Single(), out var answered, out var problem), $"the API answered a token that does not read back: {problem}");
        lock (_gate)
        {
            _token = _token is null || !ConsistencyToken.TryParse(_token, out var kept, out _) || kept.TopicId != answered.TopicId
                ? answered.ToString()
                : kept.Merge(answered).ToString();
        }
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

/// <summary>An event the API accepted: where Kafka put it, and the token that names that position.</summary>
public sealed record Written(UserActivityEvent Event, int Partition, long Offset, string Token);
