namespace Producer.Api.Http;

/// <summary>The API's error answers, all application/problem+json.</summary>
internal static class ApiProblems
{
    public const string UnsupportedMediaTypeTitle = "Unsupported media type.";
    public const string UnsupportedMediaTypeDetail = "Send the event as Content-Type: application/json.";

    public static IResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: UnsupportedMediaTypeTitle,
        detail: UnsupportedMediaTypeDetail);

    /// <summary>
    /// Gives every 415 the same title and advice. Routing answers most of them itself, before any handler runs: an
    /// endpoint declared to accept application/json refuses a request that names another type (form-urlencoded, as
    /// plain <c>curl -d</c> sends, or text/plain), and that answer would otherwise be a bare "Unsupported Media Type".
    /// </summary>
    public static void ExplainUnsupportedMediaType(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            context.ProblemDetails.Title = UnsupportedMediaTypeTitle;
            context.ProblemDetails.Detail ??= UnsupportedMediaTypeDetail;
        }
    }

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
