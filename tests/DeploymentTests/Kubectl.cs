using System.Diagnostics;

namespace DeploymentTests;

/// <summary>
/// kubectl, for `kubectl kustomize`: the renderer users apply the manifests with (`kubectl apply -k`), so the test
/// checks what a cluster would receive. CI installs it (.ci/static-checks).
/// </summary>
internal static class Kubectl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The kubectl on PATH, or null.</summary>
    public static string? Path { get; } = Find();

    /// <summary>Skips the test where kubectl is missing, but fails it in CI, which installs kubectl and must run it.</summary>
    public static string Require()
    {
        if (Path is not null)
        {
            return Path;
        }

        const string reason = "kubectl is not on PATH, so the Kubernetes manifests cannot be rendered (install kubectl, " +
            "or run .ci/static-checks, which installs it)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{reason}; in CI this test must run, not skip.");
        }

        Assert.Skip(reason + ".");
        return string.Empty;
    }

    /// <summary>The objects `kubectl kustomize folder` renders, as YAML; a failure names kubectl's error.</summary>
    public static string Kustomize(string folder)
    {
        var start = new ProcessStartInfo(Require())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kubectl kustomize {folder} did not finish within {Timeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"kubectl kustomize {folder} failed (exit {process.ExitCode}): {error.Result}");
        }

        return output.Result;
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => System.IO.Path.Combine(folder, "kubectl"))
            .FirstOrDefault(File.Exists);
}
