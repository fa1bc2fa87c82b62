using Consumer.Worker.Consuming;

namespace Consumer.Worker.Grpc;

/// <summary>
/// Read your writes on the worker's side: waits until an answer of this worker can reflect the offsets a read asks
/// for. Each wait is on the partition's <see cref="PartitionProgress"/>, which the consume loop wakes when it stores
/// the offset: no polling. A partition that leaves the worker meanwhile (revoked, lost) ends its wait at once; its next
/// owner is the one to wait then.
/// </summary>
internal static class OffsetWait
{
    /// <summary>
    /// Waits, up to <paramref name="wait"/>, until each partition this worker owns among <paramref name="partitions"/>
    /// has been stored past its offset in <paramref name="minOffsets"/> (the last offset the answer must reflect) and
    /// is served. Reached when every one is (or none is owned here); Released when one left the worker meanwhile (its
    /// next owner can tell); TimedOut when the time was up first.
    /// </summary>
    /// <param name="serving">What the worker serves, read again after every wake.</param>
    /// <param name="minOffsets">Per partition, the offset of the last message the answer must reflect.</param>
    /// <param name="partitions">Which owned partitions count: null for all of them (a list must cover every one).</param>
    /// <param name="wait">How long to wait at most.</param>
    /// <param name="metrics">Counts the wait and how it ended.</param>
    /// <param name="cancellationToken">The call's: a caller that goes away ends the wait.</param>
    public static async Task<WaitOutcome> UntilAsync(
        ServingState serving,
        IReadOnlyDictionary<int, long> minOffsets,
        int? partitions,
        TimeSpan wait,
        ReadWaitMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (Unmet(serving.Current, minOffsets, partitions, released: null) is null)
        {
            return WaitOutcome.Reached;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        HashSet<int>? released = null;
        var outcome = WaitOutcome.Reached;
        while (Unmet(serving.Current, minOffsets, partitions, released) is { } unmet)
        {
            var ended = await unmet.View.Progress.WaitAsync(unmet.Target, deadline.Token);
            if (ended == WaitOutcome.TimedOut)
            {
                outcome = ended;
                break;
            }

            if (ended == WaitOutcome.Released)
            {
                // Not waited for again in this call, even if the snapshot has not caught up with the release yet.
                (released ??= []).Add(unmet.View.Partition);
                outcome = ended;
            }
        }

        metrics.Waited(outcome, TimeProvider.System.GetElapsedTime(started));
        cancellationToken.ThrowIfCancellationRequested();
        return outcome;
    }

    /// <summary>The first owned partition that is not where the answer needs it yet, and the offset it must reach.</summary>
    private static (PartitionView View, long Target)? Unmet(
        ServingSnapshot snapshot, IReadOnlyDictionary<int, long> minOffsets, int? partitions, HashSet<int>? released)
    {
        if (!snapshot.IsJoined)
        {
            // Between a loss and the next assignment nothing is owned: nothing to wait for here.
            return null;
        }

        foreach (var view in snapshot.Partitions)
        {
            if (view.Phase == PartitionPhase.Kept
                || (partitions is { } only && view.Partition != only)
                || (released?.Contains(view.Partition) ?? false))
            {
                continue;
            }

            // Reached is the offset after the last message stored: past the token's offset means above it.
            var target = minOffsets.TryGetValue(view.Partition, out var offset) ? offset + 1 : 0;
            if (view.Phase != PartitionPhase.Serving)
            {
                // Served once read up to its end as of the assignment (-1 while unknown): waiting for that too spares
                // the caller a retry. The lifecycle publishes the new phase before it moves the progress, so a read
                // woken there finds the partition served.
                target = Math.Max(target, view.CatchUpTo);
            }

            if (view.Progress.Reached < target)
            {
                return (view, target);
            }
        }

        return null;
    }
}
