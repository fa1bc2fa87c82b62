using Grpc.Core;
using Polly.CircuitBreaker;
using Producer.Api.Http;
using Producer.Api.Workers;

namespace Producer.Api.Queries;

internal static class WorkerProblems
{
    /// <summary>503 with Retry-After for any reason the workers cannot answer completely now.</summary>
    public static IResult Unavailable(HttpContext context, Exception ex) => ex switch
    {
        BrokenCircuitException open => ApiProblems.Unavailable(
            context,
            "The worker cannot be reached.",
            "Recent calls to the processed-events store failed; it is given a moment before the next try.",
            open.RetryAfter ?? TimeSpan.FromSeconds(2)),
        WorkersUnavailableException incomplete => ApiProblems.Unavailable(
            context, "The workers cannot answer completely now.", incomplete.Message, TimeSpan.FromSeconds(2)),
        RpcException rpc => ApiProblems.Unavailable(
            context,
            "The worker cannot be reached.",
            $"The processed-events store did not answer ({rpc.StatusCode}). Try again shortly.",
            TimeSpan.FromSeconds(2)),
        _ => throw new ArgumentException("Not a worker failure.", nameof(ex), ex),
    };
}
