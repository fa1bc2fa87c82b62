using System.Globalization;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Producer.Api.Options;

namespace Producer.Api.Http;

/// <summary>
/// Bounds on what one client can cost: Kestrel's connection limits, and a request timeout on the reads of one event,
/// which answers 503 problem+json instead of hanging. The ingest endpoints bound each of their waits on its own (see
/// <c>IngestResponses</c>): a slow body is answered 408 there.
/// </summary>
internal static class RequestLimits
{
    public const string TimeoutPolicy = "api-request";

    /// <summary>An idle keep-alive connection is closed after this; Kestrel's own default is 130 s.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A body slower than 240 bytes/s after a 5 s grace period is cut off by Kestrel itself (its defaults, set here
    /// so that they are stated and tested); the request timeout bounds a body that stays just above that rate.
    /// </summary>
    public static readonly MinDataRate MinBodyRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    public static IServiceCollection AddRequestLimits(this IServiceCollection services)
    {
        // Through options rather than read once at registration, so that settings given to a test host apply too.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ProducerApiOptions>>(static (kestrel, options) =>
        {
            var api = options.Value;
            var limits = kestrel.Limits;
            // MaxRequestBodySize stays at Kestrel's 30 MB on purpose: after a 413 Kestrel reads and discards the rest
            // of the body so that the connection stays usable. Lowered to MAX_BODY_BYTES, it aborted those
            // connections instead, and the client's next request on them was dropped (seen in the fuzz test).

            // A client that trickles its headers (slowloris) is disconnected after this.
            limits.RequestHeadersTimeout = api.RequestTimeout;
            limits.KeepAliveTimeout = KeepAliveTimeout;
            limits.MinRequestBodyDataRate = MinBodyRate;
            limits.MinResponseDataRate = MinBodyRate;
        });
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ProducerApiOptions>>(static (timeouts, options) =>
            timeouts.AddPolicy(TimeoutPolicy, new RequestTimeoutPolicy
            {
                Timeout = options.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = WriteTimeoutAsync,
            }));
        return services;
    }

    private static async Task WriteTimeoutAsync(HttpContext context)
    {
        var api = context.RequestServices.GetRequiredService<IOptions<ProducerApiOptions>>().Value;
        var limit = api.RequestTimeoutMs;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The request took too long.",
            Detail = $"No answer within {limit} ms.",
        };
        context.Response.Headers.RetryAfter = Math.Max(1, api.CircuitBreakSeconds).ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = problem.Status.Value;
        // The request's token is the one that just timed out, and the JSON writer gives up silently on a cancelled
        // token: write with none. The answer is a few hundred bytes, and Kestrel's response rate bounds a client
        // that does not read it.
        context.RequestAborted = CancellationToken.None;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
