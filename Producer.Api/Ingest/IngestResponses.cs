namespace Producer.Api.Ingest;

internal static class IngestResponses
{
    /// <summary>
    /// What every ingest endpoint shares: its tag in the OpenAPI document and its errors. No request timeout: each wait
    /// of an ingest request has its own bound, so a request-wide one (a timer per request) would never fire first. The
    /// body must arrive within REQUEST_TIMEOUT_MS (<see cref="RequestBody"/>), and librdkafka reports every message by
    /// PUBLISH_TIMEOUT_MS (message.timeout.ms), a batch's wait ending a second after that.
    /// </summary>
    public static RouteHandlerBuilder AsIngestEndpoint(this RouteHandlerBuilder endpoint)
    {
        endpoint.WithTags("Events").ProducesIngestProblems().DisableRequestTimeout();
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
