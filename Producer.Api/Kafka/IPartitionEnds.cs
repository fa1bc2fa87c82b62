namespace Producer.Api.Kafka;

/// <summary>Where the events' topic's partitions end now: the offset the next message of each will get.</summary>
internal interface IPartitionEnds
{
    /// <summary>
    /// The end of each of <paramref name="partitions"/> as the partition leaders say now; a partition no broker answered
    /// for in time is absent.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> EndsAsync(IEnumerable<int> partitions, CancellationToken cancellationToken);
}
