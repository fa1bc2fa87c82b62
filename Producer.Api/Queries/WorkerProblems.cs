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
        ConsistencyNotReachedException lagging => NotReached(context, lagging),
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

    /// <summary>
    /// 503: the workers had not stored the token's positions in time. The problem names each lagging partition and by
    /// how much, in its detail and as the "lagging" member, so a client can tell a slow worker from a rebalance.
    /// </summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotReached(HttpContext context, ConsistencyNotReachedException lagging)
    {
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The workers have not caught up with the consistency token yet.",
            detail: $"{lagging.Message} Nothing staler is answered; try again with the same token.",
            extensions: new Dictionary<string, object?>
            {
                ["lagging"] = lagging.Lagging.Select(l => new Dictionary<string, object?>
                {
                    ["partition"] = l.Partition,
                    ["offset"] = l.Offset,
                    ["reached"] = l.Reached,
                    ["behind"] = l.Behind,
                }).ToList(),
            });
    }
}
