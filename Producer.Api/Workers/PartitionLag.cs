namespace Producer.Api.Workers;

/// <summary>A partition whose workers have not stored a token's position yet.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset of the last message the read must reflect (the token's).</param>
/// <param name="Reached">The offset the serving worker had stored up to (every message below it); -1 when no worker serves the partition.</param>
internal sealed record PartitionLag(int Partition, long Offset, long Reached)
{
    /// <summary>Messages still to store before the position is reflected; null when no worker serves the partition.</summary>
    public long? Behind => Reached < 0 ? null : Offset + 1 - Reached;

    public override string ToString() => Behind is { } behind
        ? $"partition {Partition}: {behind} message(s) behind offset {Offset} (stored up to {Reached})"
        : $"partition {Partition}: no worker serves it now (a rebalance, or its worker is down)";
}
