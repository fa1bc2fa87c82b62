using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Launcher;

namespace Bench;

/// <summary>
/// The harness's side of bench/AllocationProbe: the environment that loads the probe into a host, and the read of the
/// bytes that host has allocated so far. The same for the API, its variants and the reference hosts.
/// </summary>
internal static class AllocationCounter
{
    private static readonly string Probe = Path.Combine(AppContext.BaseDirectory, "AllocationProbe.dll");

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

    /// <summary>The bytes allocated so far by the host whose probe listens on <paramref name="port"/>.</summary>
    public static async Task<long> AllocatedAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        return long.Parse(await reader.ReadToEndAsync(), CultureInfo.InvariantCulture);
    }
}
