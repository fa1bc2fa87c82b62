namespace Producer.Api.Ingest;

/// <summary>201 with the published event's bytes as they went to Kafka, without serializing them again.</summary>
internal sealed class CreatedEventResult(OutgoingEvent created) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/events/processed/{created.EventId}";
        response.ContentType = "application/json";
        response.ContentLength = created.Json.Length;
        return response.Body.WriteAsync(created.Json).AsTask();
    }
}
