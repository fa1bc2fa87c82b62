using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Launcher;

/// <summary>Loopback ports that nothing listens on, for services started by tests and the benchmark.</summary>
/// <remarks>
/// A port is chosen here and bound later by a child process, so between the two anything may take it. Two things did:
/// the operating system's own choice of a port for an outgoing connection (the load generators open hundreds) and
/// another part of this process choosing at the same moment (test classes that run in parallel). So the ports come
/// from below the ephemeral range, which outgoing connections never use, and none is handed out twice by a process.
/// </remarks>
public static class FreePorts
{
    /// <summary>Below this are the well-known ports and those the services listen on by default (8080, 5001, 9990...).</summary>
    private const int Lowest = 10_000;

    private static readonly Lock Choosing = new();
    private static readonly HashSet<int> Handed = [];
    private static readonly int EphemeralLow = ReadEphemeralLow();

    /// <summary>Where the next search starts: a random place, so that two processes choosing at once rarely meet.</summary>
    private static int _next = Random.Shared.Next(Lowest, EphemeralLow);

    /// <summary><paramref name="count"/> distinct free ports that this process has not handed out before.</summary>
    public static int[] Take(int count) => [.. Enumerable.Range(0, count).Select(_ => TakeConsecutive(1))];

    /// <summary>One free port.</summary>
    public static int Take() => TakeConsecutive(1);

    /// <summary>The first of <paramref name="count"/> consecutive free ports (port ranges: worker i on port + i).</summary>
    public static int TakeConsecutive(int count)
    {
        lock (Choosing)
        {
            for (var tried = 0; tried < EphemeralLow - Lowest; tried++)
            {
                var first = _next;
                _next = first + count < EphemeralLow ? first + count : Lowest;
                if (first + count <= EphemeralLow && Enumerable.Range(first, count).All(p => !Handed.Contains(p) && !IsInUse(p)))
                {
                    Handed.UnionWith(Enumerable.Range(first, count));
                    return first;
                }
            }

            throw new InvalidOperationException($"No {count} consecutive free ports between {Lowest} and {EphemeralLow}.");
        }
    }

    /// <summary>Whether something already listens on <paramref name="port"/> of 127.0.0.1.</summary>
    public static bool IsInUse(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>The lowest port the kernel gives outgoing connections (Linux: 32768 unless changed; elsewhere 49152, IANA's).</summary>
    private static int ReadEphemeralLow()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        var fields = File.Exists(Range) ? File.ReadAllText(Range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        return fields.Length > 0 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low) && low > Lowest + 1_000
            ? low
            : 49_152;
    }
}
