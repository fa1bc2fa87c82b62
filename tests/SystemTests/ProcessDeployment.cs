using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DevBroker;
using LocalStack;
using TestSupport;

namespace SystemTests;

/// <summary>
/// The built Producer.Api and one or more Consumer.Worker as OS processes on free loopback ports, wired only by
/// environment variables, exactly as Compose runs them; the development broker runs in the test process.
/// </summary>
public sealed class ProcessDeployment : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output;
    private readonly Dictionary<string, string> _environment;
    private readonly List<(int Grpc, int Health)> _workerPorts;
    private readonly ServiceProcess?[] _workers;

    private ProcessDeployment(
        MockKafkaCluster broker,
        ServiceProcess api,
        int apiPort,
        List<(int Grpc, int Health)> workerPorts,
        ConcurrentQueue<string> output,
        Dictionary<string, string> environment)
    {
        _output = output;
        _environment = environment;
        _workerPorts = workerPorts;
        _workers = new ServiceProcess?[workerPorts.Count];
        Broker = broker;
        ApiProcess = api;
        Api = new EventsApi(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(10) });
    }

    public MockKafkaCluster Broker { get; }

    /// <summary>The first worker.</summary>
    public ServiceProcess Worker => WorkerAt(0);

    public ServiceProcess ApiProcess { get; }

    public EventsApi Api { get; }

    /// <summary>The first worker's HTTP/1.1 port: /health/* and /metrics.</summary>
    public Uri WorkerHealthUrl => new($"http://127.0.0.1:{_workerPorts[0].Health}");

    /// <summary>Worker <paramref name="index"/>'s HTTP/1.1 port: /health/* and /metrics.</summary>
    public Uri WorkerHealthUrlAt(int index) => new($"http://127.0.0.1:{_workerPorts[index].Health}");

    /// <summary>Worker <paramref name="index"/>'s gRPC port (HTTP/2 without TLS), as the API reaches it.</summary>
    public Uri WorkerGrpcUrlAt(int index) => new($"http://127.0.0.1:{_workerPorts[index].Grpc}");

    /// <summary>The API's address, for clients that speak HTTP over a raw socket.</summary>
    public Uri ApiAddress => Api.Http.BaseAddress!;

    /// <summary>Everything the processes printed, for a failing test to show.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="topic">The events' topic, created with <paramref name="partitions"/> partitions.</param>
    /// <param name="settings">Environment variables on top of the defaults, for every process.</param>
    /// <param name="workers">Worker processes in the group; the API is given all their addresses.</param>
    /// <param name="partitions">The topic's partition count.</param>
    public static async Task<ProcessDeployment> StartAsync(
        string topic = "user-activity-events", IReadOnlyDictionary<string, string>? settings = null, int workers = 1, int partitions = 3)
    {
        var broker = MockKafkaCluster.Start();
        broker.CreateTopic(topic, partitions);
        broker.CreateTopic($"{topic}.dlq", partitions: 1);
        var ports = FreePorts(1 + (2 * workers));
        var workerPorts = Enumerable.Range(0, workers).Select(i => (Grpc: ports[1 + (2 * i)], Health: ports[2 + (2 * i)])).ToList();
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_TOPIC"] = topic,
            ["KAFKA_DLQ_TOPIC"] = $"{topic}.dlq",
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_URL"] = string.Join(",", workerPorts.Select(p => $"http://127.0.0.1:{p.Grpc}")),
            ["KAFKA_SESSION_TIMEOUT_MS"] = "6000",
            ["LOG_FORMAT"] = "json",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var api = ServiceProcess.Start("api", "Producer.Api", environment, output.Enqueue);
        var deployment = new ProcessDeployment(broker, api, ports[0], workerPorts, output, environment);
        for (var i = 0; i < workers; i++)
        {
            deployment.StartWorker(i);
        }

        try
        {
            await Eventually.UntilAsync(
                async () => deployment.AnyExited || await deployment.Api.IsReadyAsync(),
                "every process to report ready",
                TimeSpan.FromSeconds(60));
            Assert.False(deployment.AnyExited, "a process exited during start-up");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var printed = deployment.Output;
            await deployment.DisposeAsync();
            throw new InvalidOperationException($"The deployment did not start: {ex.Message}\n{printed}", ex);
        }

        return deployment;
    }

    public ServiceProcess WorkerAt(int index) => _workers[index] ?? throw new InvalidOperationException($"Worker {index} is not running.");

    /// <summary>Starts worker <paramref name="index"/> on its own ports, without waiting for it.</summary>
    public void StartWorker(int index)
    {
        var environment = new Dictionary<string, string>(_environment)
        {
            ["WORKER_GRPC_PORT"] = _workerPorts[index].Grpc.ToString(CultureInfo.InvariantCulture),
            ["WORKER_HEALTH_PORT"] = _workerPorts[index].Health.ToString(CultureInfo.InvariantCulture),
        };
        _workers[index] = ServiceProcess.Start(index == 0 ? "worker" : $"worker{index}", "Consumer.Worker", environment, _output.Enqueue);
    }

    /// <summary>Kills worker <paramref name="index"/> with SIGKILL, as a crash would: no commit, no leaving the group.</summary>
    public void CrashWorker(int index)
    {
        WorkerAt(index).Crash();
    }

    /// <summary>Kills the first worker with SIGKILL and starts a new one in its place.</summary>
    public void CrashAndRestartWorker()
    {
        CrashWorker(0);
        StartWorker(0);
    }

    public async ValueTask DisposeAsync()
    {
        await ApiProcess.DisposeAsync();
        foreach (var worker in _workers.OfType<ServiceProcess>())
        {
            await worker.DisposeAsync();
        }

        Api.Http.Dispose();
        Broker.Dispose();
    }

    private bool AnyExited => ApiProcess.Exited.IsCompleted || _workers.Any(w => w is { Exited.IsCompleted: true });

    /// <summary>Distinct free ports: all are held open together while they are chosen.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
