namespace Consumer.Worker.Consuming;

/// <summary>A change to this worker's share of the partitions, as the rebalances metric counts it.</summary>
public enum PartitionChange
{
    Assigned,
    Revoked,

    /// <summary>Taken away without a clean revocation: nothing could be committed.</summary>
    Lost,
}
