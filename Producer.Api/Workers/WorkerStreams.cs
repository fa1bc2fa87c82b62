using Grpc.Core;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>One worker's open list stream, with the first page already read.</summary>
internal sealed record WorkerStream(Uri Address, AsyncServerStreamingCall<ProcessedEventPage> Call, ProcessedEventPage FirstPage, Ownership Ownership);

/// <summary>The open list streams of every worker that answered.</summary>
internal sealed class WorkerStreams(IReadOnlyList<WorkerStream> streams) : IDisposable
{
    public int Count => streams.Count;

    public IReadOnlyList<WorkerStream> Streams => streams;

    public IEnumerable<Ownership> Ownerships => streams.Select(s => s.Ownership);

    public void Dispose()
    {
        foreach (var stream in streams)
        {
            stream.Call.Dispose();
        }
    }
}
