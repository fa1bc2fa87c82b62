namespace Consumer.Worker.Consuming;

/// <summary>
/// What the worker serves at one moment: its partitions, each one's phase and progress, and a generation that changes
/// with every new snapshot, so two answers can be told apart. Immutable: a new one replaces it on every change.
/// </summary>
public sealed class ServingSnapshot
{
    public ServingSnapshot(long generation, bool running, bool joined, IReadOnlyList<PartitionView> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Generation = generation;
        IsRunning = running;
        IsJoined = running && joined;
        Partitions = [.. partitions.OrderBy(p => p.Partition)];
        Owned = [.. Partitions.Where(p => p.Phase != PartitionPhase.Kept).Select(p => p.Partition)];
        Served = IsJoined ? [.. Of(PartitionPhase.Serving)] : [];
        Rebuilding = [.. Of(PartitionPhase.Rebuilding)];
        CatchingUp = [.. Of(PartitionPhase.CatchingUp)];
        Kept = [.. Of(PartitionPhase.Kept)];
    }

    /// <summary>Before the consume loop runs: nothing owned, nothing served.</summary>
    public static ServingSnapshot NotStarted { get; } = new(0, running: false, joined: false, []);

    /// <summary>Changes with every assignment, revocation, loss, and partition that becomes served.</summary>
    public long Generation { get; }

    /// <summary>The consume loop runs.</summary>
    public bool IsRunning { get; }

    /// <summary>
    /// The group has given this member its current assignment (possibly empty: more workers than partitions). False
    /// before the first one, after a loss until the next one, and once the loop stops.
    /// </summary>
    public bool IsJoined { get; }

    /// <summary>Ready to answer queries: joined, and every owned partition is served.</summary>
    public bool IsReady => IsJoined && Served.Count == Owned.Count;

    /// <summary>Owned and kept partitions, in partition order.</summary>
    public IReadOnlyList<PartitionView> Partitions { get; }

    /// <summary>The partitions the group gave this worker: rebuilding, catching up or served.</summary>
    public IReadOnlyList<int> Owned { get; }

    /// <summary>The partitions this worker answers for in full: owned, and read up to their end as of the assignment.</summary>
    public IReadOnlyList<int> Served { get; }

    public IReadOnlyList<int> Rebuilding { get; }

    public IReadOnlyList<int> CatchingUp { get; }

    /// <summary>Lost partitions whose events are still held: found by id, never listed.</summary>
    public IReadOnlyList<int> Kept { get; }

    /// <summary>Owned but not served yet: rebuilding or catching up.</summary>
    public IEnumerable<int> NotServedYet => Rebuilding.Concat(CatchingUp).Order();

    public bool Serves(int partition) => Served.Contains(partition);

    public PartitionView? Find(int partition) => Partitions.FirstOrDefault(p => p.Partition == partition);

    private IEnumerable<int> Of(PartitionPhase phase) => Partitions.Where(p => p.Phase == phase).Select(p => p.Partition);
}
