using System.Net.Http.Json;

namespace AppHost;

/// <summary>
/// The mock broker's port is ephemeral and known only once it runs, so the address is asked of the broker's
/// control endpoint (GET /brokers) when a service is about to start, which is after the broker reported healthy.
/// </summary>
internal static class BrokerAddress
{
    public static async Task<string> ReadAsync(string controlUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // WaitFor(broker) makes this answer at once; the deadline only guards against a broker that never comes up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                var listing = await http.GetFromJsonAsync<Listing>(new Uri(new Uri(controlUrl), "/brokers"), cancellationToken);
                if (listing is { BootstrapServers.Length: > 0 })
                {
                    return listing.BootstrapServers;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                // The request's own timeout on a busy machine; ask again.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The development broker's control at {controlUrl} gave no bootstrap address within 60 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private sealed record Listing(string BootstrapServers);
}
