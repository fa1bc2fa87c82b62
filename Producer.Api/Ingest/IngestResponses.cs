using Producer.Api.Http;

namespace Producer.Api.Ingest;

internal static class IngestResponses
{
    /// <summary>What every ingest endpoint shares: its tag in the OpenAPI document, its errors, and the request timeout.</summary>
    public static RouteHandlerBuilder AsIngestEndpoint(this RouteHandlerBuilder endpoint)
    {
        endpoint.WithTags("Events").ProducesIngestProblems().WithRequestTimeout(RequestLimits.TimeoutPolicy);
        return endpoint;
    }

    /// <summary>
    /// The errors every ingest endpoint can answer, for the OpenAPI document: the body's validation, its pace and
    /// size and type, and Kafka not taking the events.
    /// </summary>
    public static RouteHandlerBuilder ProducesIngestProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesValidationProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status408RequestTimeout)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status500InternalServerError)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
