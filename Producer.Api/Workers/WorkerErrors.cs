using Grpc.Core;
using Polly.CircuitBreaker;

namespace Producer.Api.Workers;

internal static class WorkerErrors
{
    /// <summary>The status codes that mean "the worker cannot answer now", as opposed to an answer.</summary>
    public static bool IsUnavailable(RpcException ex) => ex.StatusCode is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled;

    /// <summary>
    /// Any reason the workers cannot answer completely now: unreachable, the circuit open, a rebalance, or not caught up
    /// with the read's consistency token in time.
    /// </summary>
    public static bool IsUnavailable(Exception ex) =>
        ex is WorkersUnavailableException or ConsistencyNotReachedException or BrokenCircuitException || (ex is RpcException rpc && IsUnavailable(rpc));
}
