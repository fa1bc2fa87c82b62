using System.Diagnostics;
using Confluent.Kafka;

namespace Consumer.Worker.Consuming;

/// <summary>
/// One partition's state as <see cref="PartitionLifecycle"/> keeps it: the thresholds that decide its phase, and the
/// offset expected next, which tells a gap in the offsets. Touched by the consume thread only; readers get a
/// <see cref="PartitionView"/> of it in a snapshot.
/// </summary>
internal sealed class PartitionTrack(TopicPartition topicPartition, PartitionProgress progress)
{
    public TopicPartition TopicPartition { get; } = topicPartition;

    public int Partition => TopicPartition.Partition.Value;

    public PartitionProgress Progress { get; } = progress;

    public PartitionPhase Phase { get; set; }

    /// <summary>Messages below this offset were processed before (by any owner): they are read back, not processed again.</summary>
    public long RebuildUntil { get; set; }

    /// <summary>The partition's end when it was assigned; -1 while unknown.</summary>
    public long CatchUpTo { get; set; } = -1;

    /// <summary>
    /// The offset processing must continue at: the committed one after an assignment, then the one after each message.
    /// -1 when the group never committed the partition, so wherever it starts nothing was skipped.
    /// </summary>
    public long Expected { get; set; } = -1;

    /// <summary>
    /// The offset to store with the next batch (the one after the last message processed since the last store), and
    /// that message's leader epoch; -1 while nothing waits.
    /// </summary>
    public (long Offset, int? LeaderEpoch) ToStore { get; set; } = (-1, null);

    /// <summary>Time since the assignment, for the log lines that say how long a rebuild and a catch-up took.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The phase a partition is in once read up to <paramref name="reached"/>.</summary>
    public PartitionPhase PhaseAt(long reached) =>
        reached < RebuildUntil ? PartitionPhase.Rebuilding
        : CatchUpTo < 0 || reached < CatchUpTo ? PartitionPhase.CatchingUp
        : PartitionPhase.Serving;

    /// <summary>True when the message lies below the committed offset while rebuilding: read back, not processed.</summary>
    public bool IsReplay(long offset) => Phase == PartitionPhase.Rebuilding && offset < RebuildUntil;

    /// <summary>
    /// Takes the next message's offset. Returns the offset that was expected instead when the message lies beyond it (a
    /// gap), otherwise null. Messages below the expected offset (read back to rebuild the store) leave it alone.
    /// </summary>
    public long? GapBefore(long offset)
    {
        var known = Expected >= 0;
        long? gap = known && offset > Expected ? Expected : null;
        if (!known || offset >= Expected)
        {
            Expected = offset + 1;
        }

        return gap;
    }

    public PartitionView View() => new(Partition, Phase, RebuildUntil, CatchUpTo, Progress);
}
