namespace Bench.Phases;

/// <summary>How long an outage of the soak lasts, against the workers' session timeout.</summary>
internal enum OutageKind
{
    /// <summary>50 to 500 ms: shorter than most of librdkafka's own retries.</summary>
    VeryShort,

    /// <summary>1 to 5 s: the producer's connections fail, the group's session holds.</summary>
    Medium,

    /// <summary>From a second more than the session timeout to twice it: the group loses the workers' partitions.</summary>
    Long,
}

/// <summary>One outage of the soak: the broker down for <paramref name="Length"/>, then up.</summary>
internal sealed record Outage(int Cycle, OutageKind Kind, TimeSpan Length)
{
    /// <summary>The kinds repeat in this order, so that the quick mode's three cycles are one of each.</summary>
    private static readonly OutageKind[] Pattern = [OutageKind.VeryShort, OutageKind.Long, OutageKind.Medium, OutageKind.VeryShort, OutageKind.Medium];

    /// <summary><paramref name="cycles"/> outages whose lengths come from <paramref name="seed"/>, so that a run can be replayed.</summary>
    public static IReadOnlyList<Outage> Schedule(int cycles, int seed, TimeSpan sessionTimeout)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(1, cycles).Select(cycle =>
        {
            var kind = Pattern[(cycle - 1) % Pattern.Length];
            var (shortest, longest) = kind switch
            {
                OutageKind.VeryShort => (TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)),
                OutageKind.Medium => (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)),
                _ => (sessionTimeout + TimeSpan.FromSeconds(1), sessionTimeout * 2),
            };
            return new Outage(cycle, kind, shortest + ((longest - shortest) * random.NextDouble()));
        })];
    }
}
