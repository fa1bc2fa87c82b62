using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Shared.Hosting.Telemetry;

/// <summary>
/// A total per value of an enum, for an observable counter: plain counts read at scrape time, so every value shows from
/// the start (0, not absent), health checks and tests read the same numbers, and the per-event cost is one increment.
/// </summary>
/// <typeparam name="TOutcome">An enum over int whose values are 0, 1, 2, … in order: each value is its own index.</typeparam>
public sealed class OutcomeCounts<TOutcome>
    where TOutcome : struct, Enum
{
    private static readonly TOutcome[] Values = CheckedValues();

    private readonly long[] _totals = new long[Values.Length];
    private readonly KeyValuePair<string, object?>[] _tags;

    /// <param name="tagName">The tag that carries the value on each measurement ("outcome", say).</param>
    /// <param name="tagValue">The tag's value for each enum value, as the metric shows it.</param>
    public OutcomeCounts(string tagName, Func<TOutcome, string> tagValue)
    {
        ArgumentNullException.ThrowIfNull(tagValue);
        _tags = [.. Values.Select(value => KeyValuePair.Create(tagName, (object?)tagValue(value)))];
    }

    public void Increment(TOutcome value) => Interlocked.Increment(ref _totals[Index(value)]);

    public long Total(TOutcome value) => Interlocked.Read(ref _totals[Index(value)]);

    /// <summary>One measurement per value for which <paramref name="shown"/> holds (every value when null).</summary>
    public IEnumerable<Measurement<long>> Observe(Func<TOutcome, bool>? shown = null)
    {
        foreach (var value in Values)
        {
            if (shown is null || shown(value))
            {
                var index = Index(value);
                yield return new Measurement<long>(Interlocked.Read(ref _totals[index]), _tags[index]);
            }
        }
    }

    // The value itself is the index, checked once for the type: no boxing on the per-event path.
    private static int Index(TOutcome value) => Unsafe.As<TOutcome, int>(ref value);

    private static TOutcome[] CheckedValues()
    {
        var values = Enum.GetValues<TOutcome>();
        if (Enum.GetUnderlyingType(typeof(TOutcome)) != typeof(int)
            || values.Where((value, i) => Unsafe.As<TOutcome, int>(ref value) != i).Any())
        {
            throw new InvalidOperationException($"{typeof(TOutcome).Name} must be an int enum numbered 0, 1, 2, … to be counted by value.");
        }

        return values;
    }
}
