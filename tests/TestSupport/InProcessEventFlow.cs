using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Producer.Api.Options;

namespace TestSupport;

/// <summary>
/// The API and the worker as in-process test servers on a real Kafka-protocol broker. The API reaches the worker's
/// gRPC service through the worker's test server; while the worker is stopped, that route refuses connections
/// as a stopped process would. The type arguments only name each service's assembly.
/// </summary>
public sealed class InProcessEventFlow : IEventFlow, IRestartableWorker
{
    private readonly Dictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly WorkerRoute _route = new();
    private readonly WebApplicationFactory<ProducerApiOptions> _api;
    private readonly WebApplicationFactory<WorkerOptions>?[] _workers;

    private InProcessEventFlow(
        string bootstrapServers,
        string topic,
        string group,
        IReadOnlyDictionary<string, string>? extra,
        int workers,
        Action<IServiceCollection>? services)
    {
        _workers = new WebApplicationFactory<WorkerOptions>?[workers];
        _services = services;
        BootstrapServers = bootstrapServers;
        Topic = topic;
        _settings = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrapServers,
            ["KAFKA_TOPIC"] = topic,
            ["KAFKA_DLQ_TOPIC"] = DeadLetterTopicOf(topic),
            ["KAFKA_CONSUMER_GROUP"] = group,
            ["KAFKA_SESSION_TIMEOUT_MS"] = "6000",
            ["PUBLISH_TIMEOUT_MS"] = "5000",
            ["LOG_LEVEL"] = "Warning",
            // The tests follow requests through their spans: every one is traced, not the deployed default's share.
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            // One address per worker; the route below sends each to that worker's test server.
            ["WORKER_GRPC_URL"] = string.Join(",", Enumerable.Range(0, workers).Select(i => $"http://{WorkerHost(i)}")),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        _api = new WebApplicationFactory<ProducerApiOptions>().WithWebHostBuilder(builder =>
        {
            Apply(builder);
            builder.ConfigureTestServices(services => services.ConfigureAll<HttpClientFactoryOptions>(
                options => options.HttpMessageHandlerBuilderActions.Add(handlers => handlers.PrimaryHandler = new WorkerRoute.Handler(_route))));
        });
        Api = new EventsApi(_api.CreateClient());
    }

    public EventsApi Api { get; }

    public string BootstrapServers { get; }

    public string Topic { get; }

    public string DeadLetterTopic => DeadLetterTopicOf(Topic);

    public long ProcessedSinceStart => TotalSinceStart(HandleOutcome.Stored);

    public long DuplicatesSinceStart => TotalSinceStart(HandleOutcome.Duplicate);

    public IRestartableWorker Worker => this;

    public bool OwnsStore => true;

    /// <summary>The first worker's services (its store, its consumer state), while it runs.</summary>
    public IServiceProvider WorkerServices => WorkerServicesOf(0);

    public int WorkerCount => _workers.Length;

    /// <summary>The dead-letter topic that goes with a topic; a test creates both.</summary>
    public static string DeadLetterTopicOf(string topic) => $"{topic}.dlq";

    /// <param name="bootstrapServers">The broker.</param>
    /// <param name="topic">The events' topic (and, with ".dlq", the dead-letter topic); the caller creates both.</param>
    /// <param name="group">The worker's consumer group.</param>
    /// <param name="settings">Environment variables on top of the defaults.</param>
    /// <param name="waitUntilReady">False to start without waiting for the API's readiness (Kafka down, say).</param>
    /// <param name="workers">How many workers share the consumer group.</param>
    /// <param name="spareWorkers">Workers the API knows the address of but that are not started (for StartWorker).</param>
    /// <param name="services">Test services for both the API and the workers (a span collector, say).</param>
    public static async Task<InProcessEventFlow> StartAsync(
        string bootstrapServers,
        string topic,
        string group,
        IReadOnlyDictionary<string, string>? settings = null,
        bool waitUntilReady = true,
        int workers = 1,
        int spareWorkers = 0,
        Action<IServiceCollection>? services = null)
    {
        var flow = new InProcessEventFlow(bootstrapServers, topic, group, settings, workers + spareWorkers, services);
        for (var i = 0; i < workers; i++)
        {
            flow.StartWorker(i);
        }

        if (waitUntilReady)
        {
            await flow.WaitUntilReadyAsync();
        }

        return flow;
    }

    /// <summary>A gRPC channel straight to one worker, as grpcurl would open one.</summary>
    public Grpc.Net.Client.GrpcChannel WorkerChannel(int index) => Grpc.Net.Client.GrpcChannel.ForAddress(
        "http://localhost",
        new Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = (_workers[index] ?? throw new InvalidOperationException($"Worker {index} is stopped.")).Server.CreateHandler(),
        });

    public IServiceProvider WorkerServicesOf(int index) =>
        (_workers[index] ?? throw new InvalidOperationException($"Worker {index} is stopped.")).Services;

    /// <summary>Starts every worker that is stopped (spare ones too) and waits until the API reports ready.</summary>
    public async Task StartAsync()
    {
        for (var i = 0; i < _workers.Length; i++)
        {
            if (_workers[i] is null)
            {
                StartWorker(i);
            }
        }

        await WaitUntilReadyAsync();
    }

    public async Task StopAsync()
    {
        for (var i = 0; i < _workers.Length; i++)
        {
            await StopWorkerAsync(i);
        }
    }

    /// <summary>Starts one worker (an empty store) in the group, without waiting for it.</summary>
    public void StartWorker(int index)
    {
        if (_workers[index] is not null)
        {
            throw new InvalidOperationException($"Worker {index} is running already.");
        }

        var worker = new WebApplicationFactory<WorkerOptions>().WithWebHostBuilder(Apply);
        _workers[index] = worker;
        _route.Connect(WorkerHost(index), worker.Server);
    }

    /// <summary>Stops one worker the way SIGTERM does: it commits and leaves the group.</summary>
    public async Task StopWorkerAsync(int index)
    {
        _route.Disconnect(WorkerHost(index));
        if (_workers[index] is { } worker)
        {
            _workers[index] = null;
            await worker.DisposeAsync();
        }
    }

    /// <summary>Waits until every running worker owns a partition and has rebuilt it: the group has settled.</summary>
    public Task WaitUntilEveryWorkerServesAsync() => Eventually.UntilAsync(
        () => Task.FromResult(_workers.OfType<WebApplicationFactory<WorkerOptions>>().All(worker =>
        {
            var serving = worker.Services.GetRequiredService<ServingState>().Current;
            return serving.IsReady && serving.Owned.Count > 0;
        })),
        "every worker to serve a partition");

    public Task WaitUntilReadyAsync() =>
        Eventually.UntilAsync(Api.IsReadyAsync, "the API to report ready (Kafka reachable, the workers covering every partition)");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _api.DisposeAsync();
    }

    private long TotalSinceStart(HandleOutcome outcome) => _workers.OfType<WebApplicationFactory<WorkerOptions>>()
        .Sum(worker => worker.Services.GetRequiredService<WorkerMetrics>().Total(outcome));

    private void Apply(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is { } services)
        {
            builder.ConfigureTestServices(services);
        }
    }

    private static string WorkerHost(int index) => $"worker-{index}";

    /// <summary>Where the API's gRPC calls go: by host name to that worker's test server, or a refused connection.</summary>
    private sealed class WorkerRoute
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HttpMessageInvoker> _targets = new();

        public void Connect(string host, TestServer server) => _targets[host] = new HttpMessageInvoker(server.CreateHandler());

        public void Disconnect(string host) => _targets.TryRemove(host, out _);

        public sealed class Handler(WorkerRoute route) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                route._targets.TryGetValue(request.RequestUri!.Host, out var target)
                    ? target.SendAsync(request, cancellationToken)
                    : throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused: {request.RequestUri.Host} is stopped.");
        }
    }
}
