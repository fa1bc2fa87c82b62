namespace Producer.Api.Ingest;

/// <summary>The API's error answers, all application/problem+json.</summary>
internal static class ApiProblems
{
    public static IResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type.",
        detail: "Send the event as Content-Type: application/json.");

    public static IResult TooLarge(int limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The body is too large.",
        detail: $"The body exceeds {limit} bytes.");

    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The event is invalid.");

    /// <summary>503 with Retry-After: the client may retry, with the same eventId, and nothing is counted twice.</summary>
    public static IResult Unavailable(HttpContext context, string title, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
    }
}
