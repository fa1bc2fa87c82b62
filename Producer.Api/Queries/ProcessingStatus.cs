using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

/// <summary>GET /events/status: where the workers stand with each partition of the topic.</summary>
/// <param name="Partitions">Per partition and worker that holds it, in partition order; a partition nobody holds once, without a worker.</param>
/// <param name="Workers">Every worker the API knows, answered or not.</param>
internal sealed record ProcessingStatus(IReadOnlyList<PartitionState> Partitions, IReadOnlyList<WorkerState> Workers)
{
    public static ProcessingStatus From(IReadOnlyList<(Uri Address, WorkerStatus? Status)> answers, int? partitionCount)
    {
        var partitions = answers
            .Where(a => a.Status is not null)
            .SelectMany(a => a.Status!.Partitions.Select(p => new PartitionState(
                p.Partition,
                a.Status.Worker,
                a.Address.ToString(),
                PhaseName(p.Phase),
                p.Reached,
                p.End >= 0 ? p.End : null,
                p.Lag >= 0 ? p.Lag : null,
                p.WaitingReads)))
            .ToList();
        if (partitionCount is { } count)
        {
            var held = partitions.Select(p => p.Partition).ToHashSet();
            partitions.AddRange(Enumerable.Range(0, count).Where(p => !held.Contains(p)).Select(p => new PartitionState(p, null, null, "unowned", null, null, null, 0)));
        }

        var workers = answers.Select(a => new WorkerState(
            a.Address.ToString(), a.Status?.Worker, a.Status is not null, a.Status?.Joined ?? false, a.Status?.Ready ?? false)).ToList();
        return new ProcessingStatus([.. partitions.OrderBy(p => p.Partition).ThenBy(p => p.Phase == "kept")], workers);
    }

    private static string PhaseName(PartitionStatus.Types.Phase phase) => phase switch
    {
        PartitionStatus.Types.Phase.Rebuilding => "rebuilding",
        PartitionStatus.Types.Phase.CatchingUp => "catching-up",
        PartitionStatus.Types.Phase.Serving => "serving",
        PartitionStatus.Types.Phase.Kept => "kept",
        _ => "unknown",
    };
}

/// <summary>One partition as one worker holds it.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Worker">The worker's name (its client id); null when no worker holds the partition.</param>
/// <param name="Address">The worker's gRPC address as the API reaches it.</param>
/// <param name="Phase">serving, rebuilding, catching-up, kept (lost, its events still found by id), or unowned.</param>
/// <param name="Reached">Every message below this offset is stored.</param>
/// <param name="End">The partition's end as the worker last saw it; null while unknown.</param>
/// <param name="Lag">End minus reached; null while the end is unknown.</param>
/// <param name="WaitingReads">Reads with a consistency token waiting for this partition now.</param>
internal sealed record PartitionState(int Partition, string? Worker, string? Address, string Phase, long? Reached, long? End, long? Lag, int WaitingReads);

/// <summary>One worker the API knows.</summary>
/// <param name="Address">Its gRPC address.</param>
/// <param name="Worker">Its name, when it answered.</param>
/// <param name="Answered">Whether it answered in time.</param>
/// <param name="Joined">Whether the group has given it its assignment.</param>
/// <param name="Ready">Joined, and every partition it owns is served.</param>
internal sealed record WorkerState(string Address, string? Worker, bool Answered, bool Joined, bool Ready);
