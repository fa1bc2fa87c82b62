using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shared.Contracts.Events;

namespace TestSupport;

/// <summary>The API as a client sees it: POST an event, GET the processed ones.</summary>
public sealed class EventsApi(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<HttpResponseMessage> PostRawAsync(string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        return await http.PostAsync(new Uri("/events/generate", UriKind.Relative), content);
    }

    /// <summary>Posts an event and asserts 201; returns the published event.</summary>
    public async Task<UserActivityEvent> PostAsync(string userId, string eventType, string payloadJson = "{}", Guid? eventId = null)
    {
        var id = eventId is { } given ? $"\"eventId\":\"{given}\"," : string.Empty;
        var body = $"{{{id}\"userId\":{JsonSerializer.Serialize(userId)},\"eventType\":\"{eventType}\",\"payload\":{payloadJson}}}";
        using var response = await PostRawAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, ContractsJsonContext.Default.UserActivityEvent)!;
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
