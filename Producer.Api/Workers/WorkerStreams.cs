using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

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
