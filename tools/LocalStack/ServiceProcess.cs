using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LocalStack;

/// <summary>
/// One service (API or worker) as a child process, configured only through environment variables, exactly as
/// Compose runs it. Its output is passed on line by line behind its name.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
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

    public static ServiceProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment)
    {
        var dll = BuiltAssembly(project);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var prefix = $"{name,-7}| ";
        process.OutputDataReceived += (_, line) => Write(prefix, line.Data);
        process.ErrorDataReceived += (_, line) => Write(prefix, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process);
    }

    /// <summary>SIGTERM first, so the service drains and commits; a kill only if it overruns the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows() || Kill(_process.Id, SigTerm) != 0)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"{_name} did not stop within 15 s; killing it.");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    private static string BuiltAssembly(string project)
    {
        var metadata = typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = Path.Combine(metadata["RepositoryRoot"]!, project, "bin", metadata["BuildConfiguration"]!, "net10.0", $"{project}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{project} is not built at {path}; run `dotnet build` at the repository root.", path);
    }

    private static void Write(string prefix, string? line)
    {
        if (line is not null)
        {
            Console.Out.WriteLine(prefix + line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
