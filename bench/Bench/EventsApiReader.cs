using System.Diagnostics;

namespace Bench;

/// <summary>Reads a whole GET /events/processed answer as it streams, counting its bytes and its events.</summary>
internal static class EventsApiReader
{
    private static readonly byte[] EventIdField = "\"eventId\""u8.ToArray();

    public static async Task<(long Bytes, long Events, double Seconds)> ReadAllAsync(HttpClient http, string url)
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        // Each event has one "eventId" field. The last bytes of a chunk are kept before the next one, so that a
        // field split across two reads is still found once.
        var buffer = new byte[1 << 16];
        var carry = 0;
        long bytes = 0, events = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(carry))) > 0)
        {
            bytes += read;
            var window = buffer.AsSpan(0, carry + read);
            events += window.Count(EventIdField);
            carry = Math.Min(EventIdField.Length - 1, window.Length);
            window[^carry..].CopyTo(buffer);
        }

        return (bytes, events, stopwatch.Elapsed.TotalSeconds);
    }
}
