using System.Diagnostics;

namespace Bench;

/// <summary>
/// Warms a host up with the load it is about to be measured under, one slice (--warmup) after another, until its code
/// has settled: a slice in which its JIT took less than <see cref="SettledShare"/> of the host's CPU time. Tiered
/// compilation goes on for as long as new hot code keeps showing up; under load on two cores the API compiled for about
/// 25 s, its JIT taking 40% of its CPU meanwhile, so a fixed five seconds measured the compiler as much as the API
/// (BENCHMARKS.md, "Warm-up until the JIT has settled"). At most --warmup-max; the report says how long it took.
/// </summary>
internal static class WarmUp
{
    /// <summary>A slice in which the JIT took less than this share of the host's CPU ends the warm-up.</summary>
    public const double SettledShare = 0.02;

    /// <param name="host">An API or reference host, with its probe.</param>
    /// <param name="load">Runs the measured load for a given time.</param>
    /// <param name="slice">One slice of load (--warmup).</param>
    /// <param name="limit">The longest warm-up (--warmup-max); a quick run sets it to one slice.</param>
    public static async Task<WarmUpResult> RunAsync(Service host, Func<TimeSpan, Task> load, TimeSpan slice, TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        var start = (await host.ProbeAsync()).Compiling;
        var compiled = start;
        while (true)
        {
            var cpu = ProcessStats.CpuTime(host.Process.ProcessId);
            await load(slice);
            var now = (await host.ProbeAsync()).Compiling;
            var settled = (now - compiled) / Max(ProcessStats.CpuTime(host.Process.ProcessId) - cpu, TimeSpan.FromMilliseconds(1)) < SettledShare;
            compiled = now;
            if (settled || stopwatch.Elapsed + slice > limit)
            {
                return new WarmUpResult(stopwatch.Elapsed, now - start, settled);
            }
        }
    }

    /// <summary>A report's cell: the warm-ups' lengths and JIT seconds, median and range; * when the limit ended any.</summary>
    public static string Cell(IEnumerable<WarmUpResult> warmUps)
    {
        var all = warmUps.ToList();
        var unsettled = all.Any(w => !w.Settled) ? "*" : string.Empty;
        return $"{new Sample(all.Select(w => w.Length.TotalSeconds)).Format("0")} ({new Sample(all.Select(w => w.Compiling.TotalSeconds)).Format("0.0")}){unsettled}";
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <param name="Length">How long the host was loaded before the measurement.</param>
/// <param name="Compiling">The JIT time the host spent in it.</param>
/// <param name="Settled">False when --warmup-max ended it first.</param>
internal readonly record struct WarmUpResult(TimeSpan Length, TimeSpan Compiling, bool Settled);
