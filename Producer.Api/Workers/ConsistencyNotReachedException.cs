namespace Producer.Api.Workers;

/// <summary>
/// The workers had not stored every position of a read's consistency token when the wait (CONSISTENCY_WAIT_MS) was up:
/// the read is refused (503) rather than answered staler than the token.
/// </summary>
internal sealed class ConsistencyNotReachedException(IReadOnlyList<PartitionLag> lagging, TimeSpan waited)
    : Exception($"The workers have not stored the token's positions after {waited.TotalMilliseconds:0} ms: {string.Join("; ", lagging)}.")
{
    public IReadOnlyList<PartitionLag> Lagging { get; } = lagging;
}
