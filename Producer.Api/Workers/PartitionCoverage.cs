using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>
/// Whether the workers' answers cover the topic: every partition served by exactly one worker. During a rebalance a
/// partition can be served by none (revoked here, still rebuilding there) or, briefly, by two; an answer built on
/// either would miss events or list them twice.
/// </summary>
internal static class PartitionCoverage
{
    /// <summary>Null when the ownerships cover partitions 0 to count-1 exactly once; otherwise what is wrong.</summary>
    /// <param name="ownerships">What each answering worker serves.</param>
    /// <param name="partitionCount">The topic's partition count; null when unknown, then only overlaps are found.</param>
    public static string? Problem(IEnumerable<Ownership> ownerships, int? partitionCount)
    {
        var servedBy = new Dictionary<int, int>();
        foreach (var partition in ownerships.SelectMany(o => o.Partitions))
        {
            servedBy[partition] = servedBy.GetValueOrDefault(partition) + 1;
        }

        var twice = servedBy.Where(p => p.Value > 1).Select(p => p.Key).Order().ToList();
        var missing = partitionCount is { } count
            ? Enumerable.Range(0, count).Where(p => !servedBy.ContainsKey(p)).ToList()
            : [];
        if (twice.Count == 0 && missing.Count == 0)
        {
            return null;
        }

        var problems = new List<string>();
        if (missing.Count > 0)
        {
            problems.Add($"no worker serves partition(s) {string.Join(",", missing)}");
        }

        if (twice.Count > 0)
        {
            problems.Add($"more than one worker serves partition(s) {string.Join(",", twice)}");
        }

        return string.Join("; ", problems);
    }
}
