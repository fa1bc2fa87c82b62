using System.Globalization;
using System.Text.Unicode;
using Producer.Api.Http;
using Shared.Contracts.Consistency;

namespace Producer.Api.Ingest;

/// <summary>
/// 201 with the published event's bytes as they went to Kafka, without serializing them again, followed by where Kafka
/// put it (partition and offset); the Consistency-Token header names that position (merged with the request's).
/// </summary>
internal sealed class CreatedEventResult(OutgoingEvent created, int partition, long offset, ConsistencyToken token) : IResult, IStatusCodeHttpResult
{
    /// <summary><c>,"partition":</c> and <c>,"offset":</c> with an int, a long and the closing brace.</summary>
    private const int MaxPositionBytes = 64;

    public int? StatusCode => StatusCodes.Status201Created;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/events/processed/{created.EventId}";
        RequestToken.Give(httpContext, token);
        response.ContentType = "application/json";
        // The event is one JSON object: its closing brace is replaced by the two members and a brace of their own.
        // Both go into the response's pipe and are flushed once: one write to the socket per answer, not one per part.
        // The length is set first: asking the pipe for memory starts the response, and with it its headers.
        var json = created.Json.AsSpan(0, created.Json.Length - 1);
        Span<byte> position = stackalloc byte[MaxPositionBytes];
        Utf8.TryWrite(position, CultureInfo.InvariantCulture, $",\"partition\":{partition},\"offset\":{offset}}}", out var written);
        response.ContentLength = json.Length + written;
        var body = response.BodyWriter;
        var span = body.GetSpan(json.Length + written);
        json.CopyTo(span);
        position[..written].CopyTo(span[json.Length..]);
        body.Advance(json.Length + written);
        await body.FlushAsync();
    }
}
