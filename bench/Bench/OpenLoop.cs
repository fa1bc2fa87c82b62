using System.Diagnostics;

namespace Bench;

/// <summary>
/// Requests sent at a fixed rate whatever their answers take (open loop): a slow answer does not slow the sending, so
/// it cannot hide its own delay (no coordinated omission).
/// </summary>
internal static class OpenLoop
{
    /// <summary>
    /// A client for such a load: enough connections that no request waits for one (a request that did would be sent
    /// late), kept for the whole load, and a bound on every request.
    /// </summary>
    public static HttpClient Client(string url) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = new Uri(url),
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// Calls <paramref name="send"/> with 0, 1, 2… at <paramref name="rate"/> a second for <paramref name="duration"/>,
    /// then waits until every call has finished.
    /// </summary>
    /// <returns>How many calls were made.</returns>
    public static async Task<int> RunAsync(int rate, TimeSpan duration, Func<int, Task> send)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        while (inFlight.Count < total)
        {
            // Send what is due by now, then wait a millisecond: a steady rate without a timer per request.
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate));
            while (inFlight.Count < due)
            {
                inFlight.Add(send(inFlight.Count));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
        return total;
    }
}
