using Launcher;

namespace Bench;

/// <summary>A service the harness started: its process, the HTTP port it answers on, and the file of its output.</summary>
internal sealed record Service(string Name, ServiceProcess Process, int HttpPort, int GrpcPort, LogTail Log)
{
    public string Url => $"http://127.0.0.1:{HttpPort}";

    public (long Resident, long Peak) Memory() => ProcessStats.Memory(Process.ProcessId);
}
