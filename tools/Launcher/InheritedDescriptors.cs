using System.Globalization;
using System.Runtime.InteropServices;

namespace Launcher;

/// <summary>
/// Keeps this process's open files and sockets out of the services it starts. On Unix, .NET's Process.Start passes a
/// child every descriptor not marked close-on-exec, and librdkafka's mock cluster accepts its connections without
/// that mark: a service started after a client connected to the development broker (in DevStack's, the tests' or the
/// benchmark's own process) held a copy of the broker's end of that connection. Taking the broker down then closed
/// only the broker's copy, so the client never saw its connection close, and a request it had in flight waited out
/// socket.timeout.ms (60 s): a worker's rejoin after an outage waited a minute for a fetch.
/// </summary>
/// <remarks>
/// Each descriptor is marked close-on-exec just before a child starts. A connection the broker accepts between this
/// sweep and the start (microseconds) still slips through; .NET offers no hook between fork and exec that would
/// close it there. Linux only: elsewhere fcntl's variadic argument cannot be passed safely from .NET.
/// </remarks>
internal static partial class InheritedDescriptors
{
    private const int SetDescriptorFlags = 2; // F_SETFD
    private const int CloseOnExec = 1; // FD_CLOEXEC

    public static void MarkCloseOnExec()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            // 0 to 2 are this process's own standard streams; the child gets its own in their place.
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var descriptor) && descriptor > 2)
            {
                // A descriptor closed since the listing (the listing's own, among others) fails with EBADF: nothing to keep out.
                _ = Fcntl(descriptor, SetDescriptorFlags, CloseOnExec);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);
}
