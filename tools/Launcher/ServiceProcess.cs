using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Launcher;

/// <summary>
/// One service (API or worker) as a child process, configured only through environment variables, exactly as
/// Compose runs it. Its output is passed on line by line behind its name.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly string _name;

    private ServiceProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    public Task Exited => _process.WaitForExitAsync();

    public int ExitCode => _process.ExitCode;

    public string Name => _name;

    /// <summary>The operating system's id of the process, for reading its memory and CPU time from /proc.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts <paramref name="service"/>; its output lines go to <paramref name="output"/>, or the console when null.</summary>
    public static ServiceProcess Start(ServiceSpec service, Action<string>? output = null, string? logFile = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        return StartAssembly(service.Name, service.Assembly, service.Arguments, service.Environment, output, logFile);
    }

    /// <param name="name">Shown before each line of the service's output.</param>
    /// <param name="project">Its project folder and assembly name, such as Producer.Api.</param>
    /// <param name="environment">Its whole configuration.</param>
    /// <param name="output">Where its output lines go; the console when null.</param>
    public static ServiceProcess Start(
        string name, string project, IReadOnlyDictionary<string, string> environment, Action<string>? output = null) =>
        StartAssembly(name, BuiltAssembly(project), [], environment, output);

    /// <summary>Runs <paramref name="dll"/> with <paramref name="arguments"/>, the same way as a service.</summary>
    /// <param name="name">Shown before each line of the service's output.</param>
    /// <param name="dll">The built assembly.</param>
    /// <param name="arguments">Its command line.</param>
    /// <param name="environment">Its whole configuration.</param>
    /// <param name="output">Where its output lines go; the console when null.</param>
    /// <param name="logFile">
    /// Instead of <paramref name="output"/>, a file that the service's output is appended to by the operating system,
    /// as a container runtime keeps a log: no line passes through this process (the benchmark's worker writes tens
    /// of thousands a second).
    /// </param>
    public static ServiceProcess StartAssembly(
        string name,
        string dll,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        Action<string>? output = null,
        string? logFile = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(logFile is null ? "dotnet" : "/bin/sh")
        {
            RedirectStandardOutput = logFile is null,
            RedirectStandardError = logFile is null,
            UseShellExecute = false,
        };
        if (logFile is not null)
        {
            // exec: the service takes the shell's process id, so signals reach it directly.
            foreach (var part in new[] { "-c", "f=$1; shift; exec dotnet \"$@\" >>\"$f\" 2>&1", "sh", logFile })
            {
                start.ArgumentList.Add(part);
            }
        }

        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        // The child gets its standard streams and nothing else of this process: above all not the development
        // broker's end of its clients' connections.
        InheritedDescriptors.MarkCloseOnExec();
        if (logFile is not null)
        {
            process.Start();
            return new ServiceProcess(name, process);
        }

        var prefix = $"{name,-7}| ";
        var sink = output ?? Console.Out.WriteLine;
        process.OutputDataReceived += (_, line) => Write(sink, prefix, line.Data);
        process.ErrorDataReceived += (_, line) => Write(sink, prefix, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process);
    }

    /// <summary>
    /// SIGTERM, so the service drains and commits, then a kill only if it overruns <paramref name="grace"/>.
    /// Returns true when it stopped by itself within the grace period.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return true;
        }

        if (OperatingSystem.IsWindows() || Kill(_process.Id, SigTerm) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{_name} did not stop within {grace.TotalSeconds:0} s; killing it.");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            return false;
        }
    }

    /// <summary>Sends SIGKILL: the process dies at once, as in a crash, without draining or committing.</summary>
    public void Crash() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    /// <summary>The path of <paramref name="project"/>'s assembly, built in the same configuration as this one.</summary>
    /// <param name="project">A project at the repository's root, named as its folder: Producer.Api, Consumer.Worker.</param>
    public static string BuiltAssembly(string project) => BuiltAssembly(project, project);

    /// <summary>The path of the assembly <paramref name="assembly"/> built in <paramref name="folder"/> (relative to the repository's root).</summary>
    public static string BuiltAssembly(string folder, string assembly)
    {
        var metadata = typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = Path.Combine(metadata["RepositoryRoot"]!, folder, "bin", metadata["BuildConfiguration"]!, "net10.0", $"{assembly}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not built at {path}; run `dotnet build` at the repository root.", path);
    }

    private static void Write(Action<string> sink, string prefix, string? line)
    {
        if (line is not null)
        {
            sink(prefix + line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
