namespace Consumer.Worker.Consuming;

/// <summary>
/// How far the worker has read one partition into its store: every message below <see cref="Reached"/> is settled
/// (stored, read back into the store, or dead-lettered). The consume thread alone writes it, once per message, with a
/// volatile store: no lock, no allocation. Anyone may read it. One object lasts as long as the worker holds the
/// partition's events, through a loss and back, so whoever watches it sees one line of progress.
/// </summary>
public sealed class PartitionProgress(long reached)
{
    private long _reached = reached;

    /// <summary>The offset after the last message settled: the next one the worker will read.</summary>
    public long Reached => Volatile.Read(ref _reached);

    /// <summary>
    /// The one place the consume loop reports progress (after the store, before the next message): whatever has to wait
    /// until a partition is stored up to an offset hooks in here.
    /// </summary>
    internal void Advance(long next) => Volatile.Write(ref _reached, next);
}
