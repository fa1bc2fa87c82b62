namespace Consumer.Worker.Consuming;

/// <summary>One partition as a <see cref="ServingSnapshot"/> shows it. Immutable but for the live <see cref="Progress"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Phase">Rebuilding, catching up, serving, or kept after a loss.</param>
/// <param name="RebuildUntil">Messages below this offset (the committed one) are read back, not processed again; 0 when none are.</param>
/// <param name="CatchUpTo">The partition's end when it was assigned: it is served once read that far; -1 while unknown.</param>
/// <param name="Progress">The offset reached so far, updated by the consume loop without a new snapshot.</param>
public sealed record PartitionView(int Partition, PartitionPhase Phase, long RebuildUntil, long CatchUpTo, PartitionProgress Progress)
{
    /// <summary>Messages below the committed offset still to be read back into the store; 0 once past it.</summary>
    public long RebuildRemaining => Phase == PartitionPhase.Rebuilding ? Math.Max(0, RebuildUntil - Progress.Reached) : 0;
}
