using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DevBroker;
using LocalStack;
using TestSupport;

namespace SystemTests;

/// <summary>
/// The built Producer.Api and Consumer.Worker as two OS processes on free loopback ports, wired only by
/// environment variables, exactly as Compose runs them; the development broker runs in the test process.
/// </summary>
public sealed class TwoProcessDeployment : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output;
    private readonly Dictionary<string, string> _environment;

    private TwoProcessDeployment(
        MockKafkaCluster broker,
        ServiceProcess worker,
        ServiceProcess api,
        (int Api, int WorkerHealth) ports,
        ConcurrentQueue<string> output,
        Dictionary<string, string> environment)
    {
        var apiPort = ports.Api;
        WorkerHealthUrl = new Uri($"http://127.0.0.1:{ports.WorkerHealth}");
        _output = output;
        _environment = environment;
        Broker = broker;
        Worker = worker;
        ApiProcess = api;
        Api = new EventsApi(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(10) });
    }

    public MockKafkaCluster Broker { get; }

    public ServiceProcess Worker { get; private set; }

    public ServiceProcess ApiProcess { get; }

    public EventsApi Api { get; }

    /// <summary>The worker's HTTP/1.1 port: /health/* and /metrics.</summary>
    public Uri WorkerHealthUrl { get; }

    /// <summary>Everything both processes printed, for a failing test to show.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<TwoProcessDeployment> StartAsync(
        string topic = "user-activity-events", IReadOnlyDictionary<string, string>? settings = null)
    {
        var broker = MockKafkaCluster.Start();
        broker.CreateTopic(topic, partitions: 3);
        broker.CreateTopic($"{topic}.dlq", partitions: 1);
        var (apiPort, grpcPort, healthPort) = (FreePort(), FreePort(), FreePort());
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_TOPIC"] = topic,
            ["KAFKA_DLQ_TOPIC"] = $"{topic}.dlq",
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_PORT"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_HEALTH_PORT"] = healthPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_URL"] = $"http://127.0.0.1:{grpcPort}",
            ["KAFKA_SESSION_TIMEOUT_MS"] = "6000",
            ["LOG_FORMAT"] = "json",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var worker = ServiceProcess.Start("worker", "Consumer.Worker", environment, output.Enqueue);
        var api = ServiceProcess.Start("api", "Producer.Api", environment, output.Enqueue);
        var stack = new TwoProcessDeployment(broker, worker, api, (apiPort, healthPort), output, environment);
        await Eventually.UntilAsync(stack.Api.IsReadyAsync, "both processes to report ready", TimeSpan.FromSeconds(60));
        return stack;
    }

    /// <summary>Kills the worker with SIGKILL, as a crash would (no commit, no leaving the group), and starts a new one.</summary>
    public void CrashAndRestartWorker()
    {
        Worker.Crash();
        Worker = ServiceProcess.Start("worker", "Consumer.Worker", _environment, _output.Enqueue);
    }

    public async ValueTask DisposeAsync()
    {
        await ApiProcess.DisposeAsync();
        await Worker.DisposeAsync();
        Api.Http.Dispose();
        Broker.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
