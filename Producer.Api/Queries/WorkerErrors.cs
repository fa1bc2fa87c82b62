using Grpc.Core;
using Polly.CircuitBreaker;
using Producer.Api.Ingest;

namespace Producer.Api.Queries;

internal static class WorkerErrors
{
    /// <summary>The status codes that mean "the worker cannot answer now", as opposed to an answer.</summary>
    public static bool IsUnavailable(RpcException ex) => ex.StatusCode is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled;

    public static IResult Unavailable(HttpContext context, RpcException ex) => ApiProblems.Unavailable(
        context,
        "The worker cannot be reached.",
        $"The processed-events store did not answer ({ex.StatusCode}). Try again shortly.",
        TimeSpan.FromSeconds(2));

    public static IResult Unavailable(HttpContext context, BrokenCircuitException ex) => ApiProblems.Unavailable(
        context,
        "The worker cannot be reached.",
        "Recent calls to the processed-events store failed; it is given a moment before the next try.",
        ex.RetryAfter ?? TimeSpan.FromSeconds(2));
}
