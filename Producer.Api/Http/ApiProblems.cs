namespace Producer.Api.Http;

/// <summary>The API's error answers, all application/problem+json.</summary>
internal static class ApiProblems
{
    public const string UnsupportedMediaTypeTitle = "Unsupported media type.";
    public const string UnsupportedMediaTypeDetail = "Send the event as Content-Type: application/json.";

    /// <summary>ASP.NET Core's problem details, with the API's own words for a body that is too slow and for a 415.</summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = static context =>
        {
            // Kestrel cuts off a body slower than its minimum rate with this exception, which would answer a bare
            // "Request Timeout": say why.
            if (context.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout })
            {
                context.ProblemDetails.Detail =
                    $"The body arrived slower than {RequestLimits.MinBodyRate.BytesPerSecond:0} bytes/s. Nothing was published.";
            }

            ExplainUnsupportedMediaType(context);
        });

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

    /// <summary>
    /// 408 for a body that did not arrive in full within <paramref name="timeout"/>. The rest of it may never come:
    /// the connection is closed rather than kept waiting for it.
    /// </summary>
    public static IResult BodyTooSlow(HttpContext context, TimeSpan timeout)
    {
        context.Response.Headers.Connection = "close";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status408RequestTimeout,
            title: "The request body arrived too slowly.",
            detail: $"The body did not arrive in full within {timeout.TotalMilliseconds:0} ms. Nothing was published.");
    }

    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The event is invalid.");

    /// <summary>503 with Retry-After: the client may retry, with the same eventId, and nothing is counted twice.</summary>
    public static IResult Unavailable(HttpContext context, string title, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
    }
}
