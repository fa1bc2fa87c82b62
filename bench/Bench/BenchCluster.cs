using System.Globalization;
using Confluent.Kafka;
using DevBroker;
using Launcher;

namespace Bench;

/// <summary>
/// One development broker (in this process, as in DevStack) and the services started against it, each a child
/// process configured through environment variables by the launcher, exactly as DevStack and Compose configure them.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string DeadLetterTopic = "bench.dlq";
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

    /// <summary>The broker crashes: its connections close and it refuses new ones, as in DevStack's fault control.</summary>
    public void SetBrokerDown() => _broker.SetBrokerDown(1);

    /// <summary>The broker is back.</summary>
    public void SetBrokerUp() => _broker.SetBrokerUp(1);

    /// <param name="name">Shown before each line of its log.</param>
    /// <param name="topic">The topic it consumes.</param>
    /// <param name="group">Its consumer group.</param>
    /// <param name="untilReady">
    /// Wait until it is ready. A worker is ready only once it has read its partitions up to their end as of the
    /// assignment, so a drain waits instead until the group has assigned it partitions (what ready meant before the
    /// worker served only once caught up), and times the draining itself.
    /// </param>
    /// <param name="overrides">Environment variables of this phase's own, under the harness's --worker-env.</param>
    /// <param name="assembly">Another build of Consumer.Worker to run instead of this tree's Release build (--worker-variant).</param>
    public async Task<Service> StartWorkerAsync(
        string name, string topic, string group, bool untilReady = true, IReadOnlyDictionary<string, string>? overrides = null, string? assembly = null)
    {
        var (grpc, health) = (FreePorts.Take(), FreePorts.Take());
        var worker = ServiceEnvironment.Worker(name, grpc, health, Shared(topic, group)).With(overrides).With(WorkerOverrides);
        if (assembly is not null)
        {
            worker = worker with { Assembly = assembly };
        }

        if (untilReady)
        {
            return await ReadyAsync(worker, health, grpc);
        }

        var service = await ReadyAsync(worker with { ReadyUrl = new Uri($"http://127.0.0.1:{health}/health/live") }, health, grpc);
        var deadline = DateTime.UtcNow + Readiness.DefaultTimeout;
        while (await AssignedAsync(service) == 0)
        {
            if (DateTime.UtcNow > deadline || service.Process.Exited.IsCompleted)
            {
                throw new TimeoutException($"{name} was assigned no partition within {Readiness.DefaultTimeout.TotalSeconds} s:\n{service.Log}");
            }

            // The group's assignment has no signal outside the worker but its gauge.
            await Task.Delay(100);
        }

        return service;
    }

    /// <param name="topic">The events' topic.</param>
    /// <param name="group">The workers' consumer group.</param>
    /// <param name="workers">The workers it asks.</param>
    /// <param name="overrides">Environment variables on top of the defaults (--api-env).</param>
    /// <param name="assembly">Another build of Producer.Api to run instead of this tree's Release build (the ablation's variants).</param>
    public async Task<Service> StartApiAsync(
        string topic, string group, IEnumerable<Service> workers, IReadOnlyDictionary<string, string>? overrides = null, string? assembly = null)
    {
        var port = FreePorts.Take();
        var (probe, probing) = HostProbe.Environment();
        var api = ServiceEnvironment.Api(port, workers.Select(w => w.GrpcPort), Shared(topic, group)).With(probing).With(overrides);
        if (assembly is not null)
        {
            api = api with { Assembly = assembly };
        }

        return await ReadyAsync(api, port, 0, probe);
    }

    /// <summary>Starts a reference host (echo or kafka-http: <see cref="ReferenceHost"/>) from this assembly.</summary>
    public async Task<Service> StartReferenceAsync(string mode, string topic)
    {
        var port = FreePorts.Take();
        var environment = Shared(topic, group: null);
        environment["API_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var (probe, probing) = HostProbe.Environment();
        var reference = new ServiceSpec(mode, typeof(ReferenceHost).Assembly.Location, [mode], environment, ServiceEnvironment.HealthUrl(port)).With(probing);
        return await ReadyAsync(reference, port, 0, probe);
    }

    /// <summary>The sum over partitions of the end offsets (the events the topic has ever taken).</summary>
    public long EndOffsets(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Sum(p => _watermarks.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value);

    /// <summary>The lowest log start offset of any partition: 0 while retention has dropped nothing.</summary>
    public long LowestLogStart(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Max(p => _watermarks.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).Low.Value);

    /// <summary>The events in the workers' stores, from their own gauge on /metrics.</summary>
    public async Task<long> StoredAsync(IEnumerable<Service> workers) =>
        (long)await MetricAsync(workers, "useractivity_worker_store_events");

    /// <summary>Sums every series of one metric over the services' /metrics.</summary>
    public async Task<double> MetricAsync(IEnumerable<Service> services, string name)
    {
        double sum = 0;
        foreach (var service in services)
        {
            sum += await MetricAsync(service, name);
        }

        return sum;
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

    /// <summary>The partitions the group has assigned a worker, from its own gauge on /metrics.</summary>
    private async Task<long> AssignedAsync(Service worker)
    {
        var text = await _http.GetStringAsync($"{worker.Url}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("useractivity_worker_partitions{", StringComparison.Ordinal) && l.Contains("state=\"assigned\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
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

    private Dictionary<string, string> Shared(string topic, string? group)
    {
        var environment = ServiceEnvironment.Shared(_broker.BootstrapServers, topic, DeadLetterTopic);
        // The services' own session timeout, as before the launcher existed: the figures stay comparable.
        environment.Remove("KAFKA_SESSION_TIMEOUT_MS");
        if (group is not null)
        {
            environment["KAFKA_CONSUMER_GROUP"] = group;
        }

        return environment;
    }

    private async Task<Service> ReadyAsync(ServiceSpec spec, int httpPort, int grpcPort, int probePort = 0)
    {
        var log = new LogTail(spec.Name);
        var service = new Service(spec.Name, log.Start(spec), httpPort, grpcPort, log) { ProbePort = probePort };
        _services.Add(service);
        await Readiness.EnsureReadyAsync(service.Process, spec.ReadyUrl, log.ToString);
        return service;
    }
}
