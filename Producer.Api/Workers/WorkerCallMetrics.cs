using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Producer.Api.Telemetry;

namespace Producer.Api.Workers;

/// <summary>
/// Every call to the worker, by method and gRPC status, as the RPC semantic conventions' rpc.client.call.duration.
/// The HTTP layer cannot tell: a gRPC error still travels as HTTP 200, its status in the trailers.
/// </summary>
internal sealed class WorkerCallMetrics : Interceptor
{
    private readonly Histogram<double> _duration;

    public WorkerCallMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _duration = meters.Create(ApiTelemetry.Name).CreateHistogram(
            "rpc.client.call.duration",
            unit: "s",
            description: "Calls from the API to the worker over gRPC, by method and gRPC status; a stream counts until its last page.",
            tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            });
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var started = Stopwatch.GetTimestamp();
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(
            ObserveAsync(call.ResponseAsync, context.Method.FullName, started),
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var started = Stopwatch.GetTimestamp();
        var call = continuation(request, context);
        var reader = new ObservedStream<TResponse>(call.ResponseStream, this, context.Method.FullName, started);
        return new AsyncServerStreamingCall<TResponse>(
            reader,
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            () =>
            {
                // Disposed before its end: the caller gave up on the rest of the stream.
                reader.Complete(StatusCode.Cancelled);
                call.Dispose();
            });
    }

    private async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response, string method, long started)
    {
        try
        {
            var result = await response;
            Record(method, StatusCode.OK, started);
            return result;
        }
        catch (RpcException ex)
        {
            Record(method, ex.StatusCode, started);
            throw;
        }
    }

    private void Record(string method, StatusCode status, long started)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "rpc.system.name", "grpc" },
            { "rpc.method", method.TrimStart('/') },
            { "rpc.response.status_code", StatusName(status) },
        };
        if (status != StatusCode.OK)
        {
            tags.Add("error.type", StatusName(status));
        }

        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>The status as the gRPC specification spells it (NOT_FOUND), which the conventions ask for.</summary>
    private static string StatusName(StatusCode status) => status switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A response stream that records its call once: at its end, at its error, or when it is abandoned.</summary>
    private sealed class ObservedStream<T>(IAsyncStreamReader<T> inner, WorkerCallMetrics metrics, string method, long started) : IAsyncStreamReader<T>
    {
        private int _recorded;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                var more = await inner.MoveNext(cancellationToken);
                if (!more)
                {
                    Complete(StatusCode.OK);
                }

                return more;
            }
            catch (RpcException ex)
            {
                Complete(ex.StatusCode);
                throw;
            }
        }

        public void Complete(StatusCode status)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 0)
            {
                metrics.Record(method, status, started);
            }
        }
    }
}
