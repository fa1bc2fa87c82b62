using System.Collections.Concurrent;
using System.Diagnostics;

namespace OutageClients;

/// <summary>The 503 windows one client saw, opened by its first 503 and closed by its next success.</summary>
public sealed class RefusalWindows
{
    private readonly ConcurrentQueue<RefusalWindow> _closed = new();
    private long _openSince;

    /// <summary>Every window closed so far, in order.</summary>
    public IReadOnlyCollection<RefusalWindow> Closed => _closed;

    internal void Refused()
    {
        if (Volatile.Read(ref _openSince) == 0)
        {
            Volatile.Write(ref _openSince, Stopwatch.GetTimestamp());
        }
    }

    internal void Succeeded(long at)
    {
        var since = Volatile.Read(ref _openSince);
        if (since != 0)
        {
            _closed.Enqueue(new RefusalWindow(since, at));
            Volatile.Write(ref _openSince, 0);
        }
    }
}
