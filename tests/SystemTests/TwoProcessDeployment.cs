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

    private TwoProcessDeployment(MockKafkaCluster broker, ServiceProcess worker, ServiceProcess api, int apiPort, ConcurrentQueue<string> output)
    {
        _output = output;
        Broker = broker;
        Worker = worker;
        ApiProcess = api;
        Api = new EventsApi(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(10) });
    }

    public MockKafkaCluster Broker { get; }

    public ServiceProcess Worker { get; }

    public ServiceProcess ApiProcess { get; }

    public EventsApi Api { get; }

    /// <summary>The API's address, for clients that speak HTTP over a raw socket.</summary>
    public Uri ApiAddress => Api.Http.BaseAddress!;

    /// <summary>Everything both processes printed, for a failing test to show.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="topic">The events' topic.</param>
    /// <param name="settings">Variables to set or override for both processes.</param>
    public static async Task<TwoProcessDeployment> StartAsync(string topic = "user-activity-events", IReadOnlyDictionary<string, string>? settings = null)
    {
        var broker = MockKafkaCluster.Start();
        broker.CreateTopic(topic, partitions: 3);
        var (apiPort, grpcPort, healthPort) = (FreePort(), FreePort(), FreePort());
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_TOPIC"] = topic,
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_PORT"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_HEALTH_PORT"] = healthPort.ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_URL"] = $"http://127.0.0.1:{grpcPort}",
            ["KAFKA_SESSION_TIMEOUT_MS"] = "6000",
            ["LOG_FORMAT"] = "json",
        };
        foreach (var (variable, value) in settings ?? new Dictionary<string, string>())
        {
            environment[variable] = value;
        }

        var output = new ConcurrentQueue<string>();
        var worker = ServiceProcess.Start("worker", "Consumer.Worker", environment, output.Enqueue);
        var api = ServiceProcess.Start("api", "Producer.Api", environment, output.Enqueue);
        var stack = new TwoProcessDeployment(broker, worker, api, apiPort, output);
        await Eventually.UntilAsync(stack.Api.IsReadyAsync, "both processes to report ready", TimeSpan.FromSeconds(60));
        return stack;
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
