using System.IO.Pipelines;
using System.Text.Json;

namespace Producer.Api.Queries;

/// <summary>
/// A JSON writer over a response pipe that sends what it has written every <see cref="FlushThreshold"/> bytes, so
/// that an answer of any length streams in flat memory and waits while the client reads slowly.
/// </summary>
internal sealed class StreamingJsonWriter(PipeWriter pipe) : IAsyncDisposable
{
    /// <summary>Bytes written before they are sent to the client.</summary>
    public const int FlushThreshold = 32 * 1024;

    private long _flushed;

    public Utf8JsonWriter Json { get; } = new(pipe);

    /// <summary>Sends what was written once it passes the threshold; otherwise does nothing.</summary>
    public ValueTask MaybeFlushAsync(CancellationToken cancellationToken)
    {
        // Counted from all the writer has written: it hands each full block to the pipe by itself, so its pending
        // bytes alone never reach the threshold (and a check on them alone never flushed: Kestrel held the whole
        // answer until the end, and the API's memory grew with the store).
        return Json.BytesCommitted + Json.BytesPending - _flushed >= FlushThreshold
            ? FlushAsync(cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>
    /// The writer's own flush only hands its bytes to the pipe (an IBufferWriter to it); the pipe's flush sends them,
    /// and waits while the client is slow.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Json.Flush();
        await pipe.FlushAsync(cancellationToken);
        _flushed = Json.BytesCommitted;
    }

    public ValueTask DisposeAsync() => Json.DisposeAsync();
}
