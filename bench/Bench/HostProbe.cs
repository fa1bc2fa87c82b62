using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Launcher;

namespace Bench;

/// <summary>
/// The harness's side of bench/HostProbe: the environment that loads the probe into a host, and the read of what that
/// host has allocated and compiled so far. The same for the API, its variants and the reference hosts.
/// </summary>
internal static class HostProbe
{
    private static readonly string Probe = Path.Combine(AppContext.BaseDirectory, "HostProbe.dll");

    /// <summary>The variables that load the probe, listening on a free port of its own.</summary>
    public static (int Port, Dictionary<string, string> Environment) Environment()
    {
        var port = FreePorts.Take();
        return (port, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_STARTUP_HOOKS"] = Probe,
            ["BENCH_PROBE_PORT"] = port.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>What the host whose probe listens on <paramref name="port"/> has allocated and compiled so far.</summary>
    public static async Task<HostReading> ReadAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var fields = (await reader.ReadToEndAsync()).Split(' ');
        return new HostReading(
            long.Parse(fields[0], CultureInfo.InvariantCulture),
            TimeSpan.FromTicks(long.Parse(fields[1], CultureInfo.InvariantCulture)));
    }
}

/// <param name="Allocated">Bytes allocated since the host started.</param>
/// <param name="Compiling">Time its JIT has spent compiling since the host started, on all threads.</param>
internal readonly record struct HostReading(long Allocated, TimeSpan Compiling);
