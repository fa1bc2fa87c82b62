using System.Runtime.InteropServices;

namespace Consumer.Worker.Consuming;

/// <summary>
/// Notices when librdkafka jumped over events on a partition. With auto.offset.reset=earliest, a position that
/// falls below the log start (retention deleted what the worker had not read yet) moves to the new log start without
/// an error. Per message this costs one comparison with the offset expected next; only a message beyond it is a gap,
/// which the caller then classifies with the partition's log start. Used by the consume loop's thread only.
/// </summary>
internal sealed class RetentionGapDetector
{
    private readonly Dictionary<int, long> _expected = [];

    /// <summary>
    /// A partition is assigned. With a committed offset, that is where processing must resume; without one the group
    /// never read the partition, so wherever it starts (a log start above 0, say) nothing was lost.
    /// </summary>
    public void Assigned(int partition, long? committed)
    {
        if (committed is { } offset)
        {
            _expected[partition] = offset;
        }
        else
        {
            _expected.Remove(partition);
        }
    }

    public void Revoked(int partition) => _expected.Remove(partition);

    /// <summary>
    /// Takes the next message's offset. Returns the offset that was expected instead when the message lies beyond it
    /// (a gap), otherwise null. Messages below the expected offset (read back to rebuild the store) leave it alone.
    /// </summary>
    public long? GapBefore(int partition, long offset)
    {
        ref var expected = ref CollectionsMarshal.GetValueRefOrAddDefault(_expected, partition, out var known);
        long? gap = known && offset > expected ? expected : null;
        if (!known || offset >= expected)
        {
            expected = offset + 1;
        }

        return gap;
    }

    /// <summary>
    /// How many events a gap lost to retention: those from the expected offset up to the log start (or up to the
    /// message, if retention has since moved the log start beyond it). A gap whose expected offset is still in the log
    /// is not retention: compaction removes records and transaction markers take offsets without being delivered,
    /// both leaving holes in the offsets that are no loss; it counts 0.
    /// </summary>
    public static long LostToRetention(long expected, long offset, long logStart) =>
        logStart > expected ? Math.Min(offset, logStart) - expected : 0;
}
