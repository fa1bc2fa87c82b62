using System.Diagnostics;

namespace Bench;

/// <summary>
/// With --profile: a CPU profile (dotnet-trace collect-linux, kernel sampling of every thread) of a service while it
/// is under load, and its top functions by inclusive time beside it. Needs the dotnet-trace tool
/// (`dotnet tool install -g dotnet-trace`).
/// </summary>
internal static class Profiler
{
    public static string? Directory { get; set; }

    /// <summary>Starts a profile of <paramref name="pid"/>; await the task after the load to have its report.</summary>
    public static Task Start(int pid, string name, TimeSpan duration)
    {
        if (Directory is null)
        {
            return Task.CompletedTask;
        }

        System.IO.Directory.CreateDirectory(Directory);
        var trace = Path.Combine(Directory, $"{name}.nettrace");
        return Task.Run(async () =>
        {
            await RunAsync(Tool(), "collect-linux", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--profile", "cpu-sampling",
                "--duration", duration.ToString(@"dd\:hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture), "-o", trace);
            var top = await RunAsync(Tool(), "report", trace, "topN", "-n", "120", "--inclusive");
            await File.WriteAllTextAsync(Path.ChangeExtension(trace, ".top.txt"), top);
            Console.WriteLine($"profile of {name}: {trace}");
        });
    }

    private static string Tool()
    {
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        return File.Exists(home) ? home : "dotnet-trace";
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
