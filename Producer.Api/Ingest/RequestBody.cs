using System.Buffers;

namespace Producer.Api.Ingest;

internal static class RequestBody
{
    /// <summary>What became of the body: read, refused as too large, or not arrived in time.</summary>
    public enum Outcome
    {
        Read,
        TooLarge,
        TooSlow,
    }

    /// <summary>
    /// Reads the whole body, or stops as soon as it exceeds <paramref name="limit"/> bytes (an oversized body is refused
    /// without being buffered), or when it has not arrived in full within <paramref name="timeout"/>.
    /// </summary>
    /// <remarks>
    /// The deadline is armed only when the body does not come with the first read, which is what a single event's small
    /// body nearly always does: a request timeout for every request (ASP.NET Core's middleware, a timer and a linked
    /// cancellation source each) cost the API about a tenth of its CPU and 450 bytes a request (bench/ablation). Kestrel's
    /// minimum data rate cuts off a body slower than 240 bytes/s; this bounds one that stays just above it.
    /// </remarks>
    public static async ValueTask<(Outcome Outcome, byte[]? Body)> ReadAsync(
        HttpRequest request, int limit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (Outcome.TooLarge, null);
        }

        var reader = request.BodyReader;
        CancellationTokenSource? deadline = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(deadline?.Token ?? cancellationToken);
                var buffer = result.Buffer;
                if (buffer.Length > limit)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return (Outcome.TooLarge, null);
                }

                if (result.IsCompleted)
                {
                    var body = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    return (Outcome.Read, body);
                }

                // Nothing consumed yet: ask for more until the body is complete, from now on within the deadline.
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (deadline is null)
                {
                    deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(timeout);
                }
            }
        }
        catch (OperationCanceledException) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return (Outcome.TooSlow, null);
        }
        finally
        {
            deadline?.Dispose();
        }
    }
}
