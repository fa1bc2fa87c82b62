namespace Bench;

/// <summary>The median and the 99th percentile of one run's latencies, by nearest rank.</summary>
internal static class Percentiles
{
    /// <param name="latencies">One run's latencies; not empty.</param>
    public static (double P50, double P99) Of(IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)]);
    }
}
