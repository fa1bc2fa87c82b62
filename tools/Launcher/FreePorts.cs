using System.Net;
using System.Net.Sockets;

namespace Launcher;

/// <summary>Loopback ports that nothing listens on, for services started by tests and the benchmark.</summary>
public static class FreePorts
{
    /// <summary>
    /// <paramref name="count"/> distinct free ports: all are held open together while they are chosen, so the
    /// operating system cannot hand out the same one twice.
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>One free port.</summary>
    public static int Take() => Take(1)[0];

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
}
