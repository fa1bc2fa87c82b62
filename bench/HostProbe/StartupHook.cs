using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;

/// <summary>
/// Loaded by the runtime into a measured host through DOTNET_STARTUP_HOOKS, so that the API, its variants and the
/// reference hosts are measured alike without a line of measuring code in any of them. It answers every connection
/// to 127.0.0.1:BENCH_PROBE_PORT with two numbers and closes it: the bytes the process has allocated so far
/// (GC.GetTotalAllocatedBytes), which the harness reads before and after a load and divides by the requests served,
/// and the time its JIT has spent compiling so far, in ticks (JitInfo.GetCompilationTime), which tells the harness
/// when a warm-up has let the host's code settle.
/// </summary>
/// <remarks>The runtime looks the hook up by this exact name, in the global namespace.</remarks>
[SuppressMessage("Design", "CA1050:Declare types in namespaces", Justification = "A startup hook must be the global type StartupHook.")]
internal static class StartupHook
{
    public static void Initialize()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("BENCH_PROBE_PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        // A thread of its own, blocked in Accept between the harness's reads: nothing on the measured path.
        new Thread(() => Serve(listener)) { IsBackground = true, Name = "bench-host-probe" }.Start();
    }

    private static void Serve(TcpListener listener)
    {
        while (true)
        {
            using var client = listener.AcceptTcpClient();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var compiling = JitInfo.GetCompilationTime(currentThread: false).Ticks;
            client.GetStream().Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{allocated} {compiling}")));
        }
    }
}
