using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TestSupport;

namespace SystemTests;

/// <summary>`dotnet run --project tools/LocalStack` as a user runs it, minus the build: the launcher's own binary.</summary>
public sealed class LocalStackProcessTests
{
    /// <summary>Kills the launcher and its children when a test ends early, so no process outlives the test run.</summary>
    private sealed class Launched(Process process, int apiPort, int controlPort) : IDisposable
    {
        public Process Process => process;

        public Uri Api { get; } = new($"http://127.0.0.1:{apiPort}");

        public Uri Control { get; } = new($"http://127.0.0.1:{controlPort}");

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    private static Launched StartLocalStack(out Func<string> output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(LocalStack.ServiceProcess).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var (apiPort, controlPort) = (FreePort(), FreePort());
        start.Environment["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["WORKER_GRPC_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["WORKER_HEALTH_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["LOCALSTACK_CONTROL_PORT"] = controlPort.ToString(CultureInfo.InvariantCulture);
        var lines = new List<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { lock (lines) { lines.Add(line); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { lock (lines) { lines.Add(line); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = () => { lock (lines) { return string.Join('\n', lines); } };
        return new Launched(process, apiPort, controlPort);
    }

    [Fact]
    public async Task Sigterm_stops_the_launcher_and_leaves_no_child_process_behind()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Reads child processes from /proc.");
        using var launched = StartLocalStack(out var output);
        var launcher = launched.Process;
        await Eventually.UntilAsync(() => Task.FromResult(output().Contains("LocalStack is ready.", StringComparison.Ordinal)), "LocalStack to be ready", TimeSpan.FromSeconds(90));
        var children = ChildrenOf(launcher.Id);
        Assert.Equal(2, children.Count);

        Assert.Equal(0, Signal(launcher.Id, 15));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await launcher.WaitForExitAsync(deadline.Token);

        Assert.Equal(0, launcher.ExitCode);
        Assert.All(children, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"child {pid} is still running\n{output()}"));
    }

    [Fact]
    public async Task Broker_only_mode_prints_a_bootstrap_address_that_a_kafka_client_can_use()
    {
        using var launched = StartLocalStack(out var output, "--broker-only");
        await Eventually.UntilAsync(() => Task.FromResult(output().Contains("KAFKA_BOOTSTRAP_SERVERS=", StringComparison.Ordinal)), "the bootstrap address", TimeSpan.FromSeconds(30));
        var lines = output().Split('\n');
        var bootstrap = lines.Single(l => l.StartsWith("KAFKA_BOOTSTRAP_SERVERS=", StringComparison.Ordinal))["KAFKA_BOOTSTRAP_SERVERS=".Length..];

        await KafkaTestClient.ProduceRawAsync(bootstrap, "user-activity-events", "k", "{}"u8.ToArray());

        Assert.Contains("for development and tests only", output(), StringComparison.Ordinal);
        Assert.StartsWith("KAFKA_BOOTSTRAP_SERVERS=", lines[^1], StringComparison.Ordinal);
        Assert.Contains($"Fault control: {launched.Control.OriginalString.TrimEnd('/')}", output(), StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var brokers = await http.GetAsync(new Uri(launched.Control, "/brokers"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, brokers.StatusCode);
    }

    [Fact]
    public async Task Taking_the_broker_down_through_the_fault_control_makes_the_api_unready_until_it_is_up_again()
    {
        using var launched = StartLocalStack(out var output);
        await Eventually.UntilAsync(() => Task.FromResult(output().Contains("LocalStack is ready.", StringComparison.Ordinal)), "LocalStack to be ready", TimeSpan.FromSeconds(90));
        Assert.Contains($"Fault control  {launched.Control.OriginalString.TrimEnd('/')}", output(), StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ready = new Uri(launched.Api, "/health/ready");
        async Task<HttpStatusCode> ReadinessAsync()
        {
            using var response = await http.GetAsync(ready, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        using (var down = await http.PostAsync(new Uri(launched.Control, "/brokers/1/down"), null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        }

        await Eventually.UntilAsync(async () => await ReadinessAsync() == HttpStatusCode.ServiceUnavailable, "the API to report unready (503)\n" + output());

        using (var up = await http.PostAsync(new Uri(launched.Control, "/brokers/1/up"), null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }

        await Eventually.UntilAsync(async () => await ReadinessAsync() == HttpStatusCode.OK, "the API to report ready again\n" + output());
        Assert.Contains("control| broker 1 down", output(), StringComparison.Ordinal);
    }

    private static List<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .ToList();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);
}
