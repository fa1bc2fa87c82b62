using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Launcher;
using TestSupport;

namespace SystemTests;

/// <summary>`dotnet run --project tools/DevStack` as a user runs it, minus the build: the launcher's own binary.</summary>
public sealed partial class DevStackProcessTests
{
    /// <summary>Kills the launcher and its children when a test ends early, so no process outlives the test run.</summary>
    private sealed class Launched(Process process, int apiPort, int controlPort, int firstGrpcPort) : IDisposable
    {
        public Process Process => process;

        public Uri Api { get; } = new($"http://127.0.0.1:{apiPort}");

        public int FirstGrpcPort => firstGrpcPort;

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

    private static Launched StartDevStack(out Func<string> output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServiceProcess.BuiltAssembly("tools/DevStack", "DevStack"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Worker i listens on WORKER_GRPC_PORT + i and WORKER_HEALTH_PORT + i: ranges of free ports, far apart.
        var (apiPort, controlPort, grpcPort, healthPort) = (FreePorts.Take(), FreePorts.Take(), FreePorts.TakeConsecutive(3), FreePorts.TakeConsecutive(3));
        start.Environment["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["WORKER_GRPC_PORT"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["WORKER_HEALTH_PORT"] = healthPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["DEVSTACK_CONTROL_PORT"] = controlPort.ToString(CultureInfo.InvariantCulture);
        var lines = new List<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { lock (lines) { lines.Add(line); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { lock (lines) { lines.Add(line); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = () => { lock (lines) { return string.Join('\n', lines); } };
        return new Launched(process, apiPort, controlPort, grpcPort);
    }

    [Fact]
    public async Task Sigterm_stops_the_launcher_and_leaves_no_child_process_behind()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Reads child processes from /proc.");
        using var launched = StartDevStack(out var output);
        var launcher = launched.Process;
        await WaitUntilReadyAsync(output, TimeSpan.FromSeconds(90));
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
        using var launched = StartDevStack(out var output, "--broker-only");
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
        using var launched = StartDevStack(out var output);
        await WaitUntilReadyAsync(output, TimeSpan.FromSeconds(90));
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

    [Fact]
    public async Task A_worker_killed_with_sigkill_is_started_again_and_every_answer_meanwhile_is_complete_or_503()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Sends SIGKILL.");
        using var launched = StartDevStack(out var output, "--workers", "3");
        await WaitUntilReadyAsync(output, TimeSpan.FromSeconds(120));
        var api = new EventsApi(new HttpClient { BaseAddress = launched.Api, Timeout = TimeSpan.FromSeconds(10) });
        var accepted = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            accepted.Add((await api.PostAsync($"user-{i}", "LOGIN")).EventId);
        }

        await api.WaitUntilProcessedAsync(accepted);
        var victim = WorkerPid(output(), "worker2");

        Assert.Equal(0, Signal(victim, 9));
        var probe = new FailoverProbe(api, accepted);
        await Eventually.UntilAsync(
            async () => await probe.PostAndListAsync()
                && output().Contains("worker2 is ready again", StringComparison.Ordinal)
                && await api.IsReadyAsync(),
            "the supervisor to start worker2 again and the API to be ready\n" + output(),
            TimeSpan.FromSeconds(120));

        await api.WaitUntilProcessedAsync(accepted);
        Assert.Equal(accepted.Order(), (await api.ListAsync()).Select(e => e.EventId).Order());
        Assert.Contains("worker2 exited with code 137 (SIGKILL); starting it again", output(), StringComparison.Ordinal);
        Assert.NotEqual(victim, WorkerPid(output(), "worker2", restarted: true));
        Assert.False(launched.Process.HasExited, "DevStack stopped after a worker was killed\n" + output());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Answers while worker2 was down: {probe}");
    }

    [Fact]
    public async Task Three_workers_on_three_partitions_each_serve_one_once_DevStack_is_ready()
    {
        using var launched = StartDevStack(out var output, "--workers", "3");
        await WaitUntilReadyAsync(output, TimeSpan.FromSeconds(120));

        using var ownership = new WorkerOwnership(Enumerable.Range(0, 3).Select(i => (ServiceEnvironment.WorkerName(i), launched.FirstGrpcPort + i)));
        var split = await ownership.ReadAsync(TestContext.Current.CancellationToken);

        Assert.All(split, worker => Assert.True(worker.Served is { Count: 1 }, $"{WorkerOwnership.Describe(split)}\n{output()}"));
        Assert.Equal([0, 1, 2], split.SelectMany(w => w.Served!).Order());
        Assert.Contains($"Partitions: {WorkerOwnership.Describe(split)}.", output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_that_keeps_failing_at_start_stops_DevStack_with_an_error_instead_of_a_restart_loop()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Sends SIGKILL.");
        using var launched = StartDevStack(out var output);
        await WaitUntilReadyAsync(output, TimeSpan.FromSeconds(90));
        var worker = WorkerPid(output(), "worker");

        // The crash frees the worker's gRPC port; another process takes it before the restart, so each new worker
        // fails to listen and exits at start.
        Assert.Equal(0, Signal(worker, 9));
        await WaitForExitAsync(worker);
        using var squatter = await SquatAsync(launched.FirstGrpcPort);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await launched.Process.WaitForExitAsync(deadline.Token);

        Assert.Equal(1, launched.Process.ExitCode);
        Assert.Contains("worker failed at start 3 times in a row (last exit code 1); not starting it again.", output(), StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(output(), "worker exited with code 1; starting it again"));
    }

    /// <summary>
    /// Listens on <paramref name="port"/> as soon as the dead worker's sockets let it: its connections linger on the
    /// port for a moment after the kill (FIN_WAIT, TIME_WAIT). SO_REUSEADDR (1, 2 on Linux) binds past those in
    /// TIME_WAIT, as Kestrel does; .NET's ReuseAddress would add SO_REUSEPORT, which they refuse. The supervisor waits
    /// 1 s before the restart and a new worker takes seconds more to listen, so this wins the port.
    /// </summary>
    private static async Task<System.Net.Sockets.Socket> SquatAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (true)
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen();
                return socket;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }
    }

    /// <summary>A worker's pid from the ready banner, or from the supervisor's line after its restart.</summary>
    private static int WorkerPid(string output, string name, bool restarted = false)
    {
        var pattern = restarted ? $@"{name} is ready again \(pid (\d+)" : $@"^  {name} gRPC\s+\S+\s+\(pid (\d+);";
        return int.Parse(Regex.Matches(output, pattern, RegexOptions.Multiline)[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task WaitForExitAsync(int pid) =>
        await Eventually.UntilAsync(() => Task.FromResult(!File.Exists($"/proc/{pid}/status") || File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal)), $"process {pid} to exit");

    private static List<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .ToList();

    /// <summary>
    /// Waits for DevStack's whole ready banner. Its lines are read one by one, and the tests read the ones after
    /// "DevStack is ready." (the addresses, the pids): waiting for that line alone raced with the rest of the banner.
    /// </summary>
    private static Task WaitUntilReadyAsync(Func<string> output, TimeSpan timeout) =>
        Eventually.UntilAsync(
            () => Task.FromResult(output() is var text
                && text.IndexOf("DevStack is ready.", StringComparison.Ordinal) is >= 0 and var ready
                && text.IndexOf("Press Ctrl-C to stop.", ready, StringComparison.Ordinal) >= 0),
            "DevStack to be ready",
            timeout);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);
}
