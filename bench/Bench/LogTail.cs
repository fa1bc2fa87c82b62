using Launcher;

namespace Bench;

/// <summary>
/// A service's output, in a file the operating system appends to (as a container runtime keeps a log), so that the
/// worker's line per event costs the harness nothing; its last lines are shown when the service fails.
/// </summary>
internal sealed class LogTail(string name)
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"bench-{Environment.ProcessId}-{name}-{Guid.NewGuid():N}.log");

    public ServiceProcess Start(ServiceSpec service) => ServiceProcess.Start(service, logFile: _path);

    public void Delete() => File.Delete(_path);

    public override string ToString()
    {
        if (!File.Exists(_path))
        {
            return "(no output)";
        }

        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(Math.Max(0, file.Length - 8192), SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }
}
