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

    /// <summary>Runs <paramref name="dll"/> with <paramref name="arguments"/> as a process that serves nothing (the load generator).</summary>
    public ServiceProcess Start(string dll, IReadOnlyList<string> arguments) =>
        ServiceProcess.StartAssembly(name, dll, arguments, new Dictionary<string, string>(), logFile: _path);

    public void Delete() => File.Delete(_path);

    /// <summary>The whole output.</summary>
    public string ReadAll() => Read(long.MaxValue);

    public override string ToString() => Read(8192);

    private string Read(long lastBytes)
    {
        if (!File.Exists(_path))
        {
            return "(no output)";
        }

        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(Math.Max(0, file.Length - lastBytes), SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }
}
