using Launcher;

namespace Bench;

/// <summary>A service the harness started: its process, the HTTP port it answers on, and the file of its output.</summary>
internal sealed record Service(string Name, ServiceProcess Process, int HttpPort, int GrpcPort, LogTail Log)
{
    public string Url => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Where the host's <see cref="HostProbe"/> answers; 0 for the workers, which have none.</summary>
    public int ProbePort { get; init; }

    /// <summary>What the host has allocated and compiled so far (API and reference hosts only).</summary>
    public Task<HostReading> ProbeAsync() => HostProbe.ReadAsync(ProbePort);

    public (long Resident, long Peak) Memory() => ProcessStats.Memory(Process.ProcessId);
}
