using Shared.Contracts.Consistency;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>The open list streams of every worker that answered.</summary>
internal sealed class WorkerStreams(IReadOnlyList<WorkerStream> streams) : IDisposable
{
    public int Count => streams.Count;

    public IReadOnlyList<WorkerStream> Streams => streams;

    public IEnumerable<Ownership> Ownerships => streams.Select(s => s.Ownership);

    /// <summary>
    /// The positions the answers reflect: per served partition, the last offset its worker had stored when it answered.
    /// </summary>
    public ConsistencyToken Reflected(string topic) => ConsistencyToken.For(
        topic,
        streams.SelectMany(s => s.Ownership.Partitions
            .Where(p => s.Ownership.Reached.GetValueOrDefault(p) > 0)
            .Select(p => new KeyValuePair<int, long>(p, s.Ownership.Reached[p] - 1))));

    public void Dispose()
    {
        foreach (var stream in streams)
        {
            stream.Call.Dispose();
        }
    }
}
