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
    private WebApplicationFactory<WorkerOptions>? _worker;

    private InProcessEventFlow(
        string bootstrapServers, string topic, string group, IReadOnlyDictionary<string, string>? extra, Action<IServiceCollection>? services)
    {
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

    public long ProcessedSinceStart => WorkerServices.GetRequiredService<WorkerMetrics>().Total(HandleOutcome.Stored);

    public IRestartableWorker Worker => this;

    public bool OwnsStore => true;

    /// <summary>The worker's services (its store, its consumer state), while it runs.</summary>
    public IServiceProvider WorkerServices => (_worker ?? throw new InvalidOperationException("The worker is stopped.")).Services;

    /// <summary>The dead-letter topic that goes with a topic; a test creates both.</summary>
    public static string DeadLetterTopicOf(string topic) => $"{topic}.dlq";

    /// <param name="bootstrapServers">The broker.</param>
    /// <param name="topic">The events' topic (and, with ".dlq", the dead-letter topic); the caller creates both.</param>
    /// <param name="group">The worker's consumer group.</param>
    /// <param name="settings">Environment variables on top of the defaults.</param>
    /// <param name="waitUntilReady">False to start without waiting for the API's readiness (Kafka down, say).</param>
    /// <param name="services">Test services for both the API and the worker (a span collector, say).</param>
    public static async Task<InProcessEventFlow> StartAsync(
        string bootstrapServers,
        string topic,
        string group,
        IReadOnlyDictionary<string, string>? settings = null,
        bool waitUntilReady = true,
        Action<IServiceCollection>? services = null)
    {
        var flow = new InProcessEventFlow(bootstrapServers, topic, group, settings, services);
        await flow.StartWorkerAsync(waitUntilReady);
        return flow;
    }

    public Task StartAsync() => StartWorkerAsync(waitUntilReady: true);

    private async Task StartWorkerAsync(bool waitUntilReady)
    {
        if (_worker is not null)
        {
            throw new InvalidOperationException("The worker is running already.");
        }

        _worker = new WebApplicationFactory<WorkerOptions>().WithWebHostBuilder(Apply);
        _route.Connect(_worker.Server);
        if (waitUntilReady)
        {
            await Eventually.UntilAsync(Api.IsReadyAsync, "the API to report ready (Kafka reachable, worker joined)");
        }
    }

    public async Task StopAsync()
    {
        _route.Disconnect();
        if (_worker is { } worker)
        {
            _worker = null;
            await worker.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _api.DisposeAsync();
    }

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

    /// <summary>Where the API's gRPC calls go: the current worker's test server, or a refused connection.</summary>
    private sealed class WorkerRoute
    {
        private volatile HttpMessageInvoker? _target;

        public void Connect(TestServer server) => _target = new HttpMessageInvoker(server.CreateHandler());

        public void Disconnect() => _target = null;

        public sealed class Handler(WorkerRoute route) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                route._target is { } target
                    ? target.SendAsync(request, cancellationToken)
                    : throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused: the worker is stopped.");
        }
    }
}
