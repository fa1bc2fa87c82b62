using System.Buffers;
using System.Text;
using Shared.Contracts.Events;

namespace Bench;

/// <summary>Events as the API writes them (about 200 bytes of JSON each), for filling topics directly.</summary>
internal static class EventCorpus
{
    private static readonly EventType[] Types = Enum.GetValues<EventType>();

    /// <summary>The single-event request body that wrk sends (bench/wrk/post-event.lua holds the same).</summary>
    public static readonly byte[] RequestBody =
        Encoding.UTF8.GetBytes("""{"userId":"bench-user","eventType":"PRODUCT_VIEW","payload":{"sku":"A-1","price":9.5}}""");

    /// <summary>POST /events/generate with <see cref="RequestBody"/>; the caller disposes the answer.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client)
    {
        using var content = new ByteArrayContent(RequestBody);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await client.PostAsync("/events/generate", content);
    }

    public static (string Key, byte[] Json) Event(int index)
    {
        var eventId = Guid.CreateVersion7();
        var buffer = new ArrayBufferWriter<byte>(256);
        var payload = Encoding.UTF8.GetBytes($$"""{"sku":"SKU-{{index % 5000}}","price":{{index % 100}}.5,"page":"/products/{{index % 977}}"}""");
        EventJsonWriter.Write(buffer, eventId, $"user-{index % 1000}", Types[index % Types.Length], DateTimeOffset.UtcNow, payload);
        return (eventId.ToString(), buffer.WrittenSpan.ToArray());
    }

    /// <summary>A batch request body of <paramref name="size"/> events, for bench/wrk/post-batch.lua.</summary>
    public static string BatchBody(int size) =>
        "[" + string.Join(",", Enumerable.Repeat(Encoding.UTF8.GetString(RequestBody), size)) + "]";
}
