using System.Globalization;
using System.Text;
using Producer.Api.Http;
using Shared.Contracts.Consistency;

namespace Producer.Api.Ingest;

/// <summary>
/// 201 with the published event's bytes as they went to Kafka, without serializing them again, followed by where Kafka
/// put it (partition and offset); the Consistency-Token header names that position (merged with the request's).
/// </summary>
internal sealed class CreatedEventResult(OutgoingEvent created, int partition, long offset, ConsistencyToken token) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status201Created;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/events/processed/{created.EventId}";
        RequestToken.Give(httpContext, token);
        response.ContentType = "application/json";
        // The event is one JSON object: its closing brace is replaced by the two members and a brace of their own.
        var position = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $",\"partition\":{partition},\"offset\":{offset}}}"));
        var json = created.Json.AsMemory(0, created.Json.Length - 1);
        response.ContentLength = json.Length + position.Length;
        await response.Body.WriteAsync(json);
        await response.Body.WriteAsync(position);
    }
}
