using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using DevBroker;
using LocalStack;

namespace Bench;

/// <summary>A service the harness started: its process, the HTTP port it answers on, and the file of its output.</summary>
internal sealed record Service(string Name, ServiceProcess Process, int HttpPort, int GrpcPort, LogTail Log)
{
    public string Url => $"http://127.0.0.1:{HttpPort}";

    public (long Resident, long Peak) Memory() => ProcessStats.Memory(Process.ProcessId);
}

/// <summary>
/// One development broker (in this process, as in LocalStack) and the services started against it, each a child
/// process configured through environment variables exactly as LocalStack and Compose configure them.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string DeadLetterTopic = "bench.dlq";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly MockKafkaCluster _broker;
    private readonly IConsumer<Ignore, Ignore> _watermarks;
    private readonly List<Service> _services = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private BenchCluster(MockKafkaCluster broker)
    {
        _broker = broker;
        _broker.CreateTopic(DeadLetterTopic, 1);
        _watermarks = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "bench-watermarks",
            LogConnectionClose = false,
        }).SetLogHandler((_, _) => { }).Build();
    }

    public string BootstrapServers => _broker.BootstrapServers;

    /// <param name="groupJoinDelay">
    /// How long a fresh group's first join waits for more members: long enough for several workers started
    /// together to share the first assignment, so a drain measures consuming rather than rebalancing.
    /// </param>
    public static BenchCluster Start(TimeSpan? groupJoinDelay = null) => new(MockKafkaCluster.Start(1, groupJoinDelay));

    /// <summary>Environment variables added to every worker the cluster starts (the harness's --worker-env).</summary>
    public static IReadOnlyDictionary<string, string> WorkerOverrides { get; set; } = new Dictionary<string, string>();

    public void CreateTopic(string topic, int partitions) => _broker.CreateTopic(topic, partitions);

    /// <param name="name">Shown before each line of its log.</param>
    /// <param name="topic">The topic it consumes.</param>
    /// <param name="group">Its consumer group.</param>
    /// <param name="untilReady">
    /// Wait until it is ready. A worker is ready only once it has read its partitions up to their end as of the
    /// assignment, so a drain waits instead until the group has assigned it partitions (what ready meant before the
    /// worker served only once caught up), and times the draining itself.
    /// </param>
    public async Task<Service> StartWorkerAsync(string name, string topic, string group, bool untilReady = true)
    {
        var grpc = FreePort();
        var health = FreePort();
        var environment = Common(topic);
        environment["KAFKA_CONSUMER_GROUP"] = group;
        environment["WORKER_GRPC_PORT"] = Invariant(grpc);
        environment["WORKER_HEALTH_PORT"] = Invariant(health);
        foreach (var (key, value) in WorkerOverrides)
        {
            environment[key] = value;
        }

        var log = new LogTail(name);
        return await ReadyAsync(
            new Service(name, log.Start(ServiceProcess.BuiltAssembly("Consumer.Worker"), [], environment), health, grpc, log),
            untilReady ? IsReadyAsync : async worker => await AssignedAsync(worker) > 0);
    }

    public async Task<Service> StartApiAsync(
        string topic, string group, IEnumerable<Service> workers, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var port = FreePort();
        var environment = Common(topic);
        environment["KAFKA_CONSUMER_GROUP"] = group;
        environment["API_PORT"] = Invariant(port);
        environment["WORKER_GRPC_URL"] = string.Join(",", workers.Select(w => $"http://127.0.0.1:{w.GrpcPort}"));
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var log = new LogTail("api");
        return await ReadyAsync(new Service("api", log.Start(ServiceProcess.BuiltAssembly("Producer.Api"), [], environment), port, 0, log));
    }

    /// <summary>Starts a reference host (echo or kafka-http: <see cref="ReferenceHost"/>) from this assembly.</summary>
    public async Task<Service> StartReferenceAsync(string mode, string topic)
    {
        var port = FreePort();
        var environment = Common(topic);
        environment["API_PORT"] = Invariant(port);
        var log = new LogTail(mode);
        return await ReadyAsync(new Service(mode, log.Start(typeof(ReferenceHost).Assembly.Location, [mode], environment), port, 0, log));
    }

    /// <summary>The sum over partitions of the end offsets (the events the topic has ever taken).</summary>
    public long EndOffsets(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Sum(p => _watermarks.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value);

    /// <summary>The lowest log start offset of any partition: 0 while retention has dropped nothing.</summary>
    public long LowestLogStart(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Max(p => _watermarks.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).Low.Value);

    /// <summary>The events in the workers' stores, from their own gauge on /metrics.</summary>
    public async Task<long> StoredAsync(IEnumerable<Service> workers)
    {
        long total = 0;
        foreach (var worker in workers)
        {
            total += (long)await MetricAsync(worker, "useractivity_worker_store_events");
        }

        return total;
    }

    /// <summary>Sums every series of one metric on a service's /metrics.</summary>
    public async Task<double> MetricAsync(Service service, string name)
    {
        var text = await _http.GetStringAsync($"{service.Url}/metrics");
        double sum = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(name) && line.Length > name.Length && line[name.Length] is ' ' or '{')
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public async Task StopAsync(Service service)
    {
        _services.Remove(service);
        await service.Process.StopAsync(TimeSpan.FromSeconds(15));
        await service.Process.DisposeAsync();
        service.Log.Delete();
    }

    public async ValueTask DisposeAsync()
    {
        // The API first, then the workers: the reverse of the order they started in.
        for (var i = _services.Count - 1; i >= 0; i--)
        {
            await _services[i].Process.DisposeAsync();
            _services[i].Log.Delete();
        }

        _services.Clear();
        _watermarks.Dispose();
        _http.Dispose();
        _broker.Dispose();
    }

    private Dictionary<string, string> Common(string topic) => new()
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = _broker.BootstrapServers,
        ["KAFKA_TOPIC"] = topic,
        ["KAFKA_DLQ_TOPIC"] = DeadLetterTopic,
        ["BIND_ADDRESS"] = "127.0.0.1",
    };

    /// <summary>The partitions the group has assigned a worker, from its own gauge on /metrics.</summary>
    private async Task<long> AssignedAsync(Service worker)
    {
        var text = await _http.GetStringAsync($"{worker.Url}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("useractivity_worker_partitions{", StringComparison.Ordinal) && l.Contains("state=\"assigned\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private async Task<bool> IsReadyAsync(Service service)
    {
        using var response = await _http.GetAsync($"{service.Url}/health/ready");
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task<Service> ReadyAsync(Service service, Func<Service, Task<bool>>? isReady = null)
    {
        isReady ??= IsReadyAsync;
        _services.Add(service);
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (service.Process.Exited.IsCompleted)
            {
                throw new InvalidOperationException($"{service.Name} exited with code {service.Process.ExitCode}:\n{service.Log}");
            }

            try
            {
                if (await isReady(service))
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            // A child process offers no readiness signal but its health endpoint.
            await Task.Delay(100);
        }

        throw new TimeoutException($"{service.Name} did not report ready within {ReadyTimeout.TotalSeconds} s:\n{service.Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A service's output, in a file the operating system appends to (as a container runtime keeps a log), so that the
/// worker's line per event costs the harness nothing; its last lines are shown when the service fails.
/// </summary>
internal sealed class LogTail(string name)
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"bench-{Environment.ProcessId}-{name}-{Guid.NewGuid():N}.log");

    public ServiceProcess Start(string dll, string[] arguments, IReadOnlyDictionary<string, string> environment) =>
        ServiceProcess.StartAssembly(name, dll, arguments, environment, logFile: _path);

    public void Delete() => File.Delete(_path);

    public override string ToString()
    {
        if (!File.Exists(_path))
        {
            return "(no output)";
        }

        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(Math.Max(0, file.Length - 8192), SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }
}
