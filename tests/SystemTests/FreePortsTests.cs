using Launcher;

namespace SystemTests;

/// <summary>The ports the system tests and the benchmark give their child processes.</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Ports_chosen_at_the_same_time_by_parallel_callers_are_never_the_same_and_never_ephemeral()
    {
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var chosen = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 200, i =>
        {
            foreach (var port in i % 2 == 0 ? FreePorts.Take(3) : Enumerable.Range(FreePorts.TakeConsecutive(3), 3))
            {
                chosen.Add(port);
            }
        });

        Assert.Equal(600, chosen.Count);
        Assert.Equal(chosen.Count, chosen.Distinct().Count());
        Assert.All(chosen, port => Assert.InRange(port, 10_000, ephemeralLow - 1));
    }
}
