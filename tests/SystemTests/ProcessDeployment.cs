using System.Collections.Concurrent;
using DevBroker;
using Launcher;
using TestSupport;

namespace SystemTests;

/// <summary>
/// The built Producer.Api and one or more Consumer.Worker as OS processes on free loopback ports, wired only by
/// environment variables, exactly as Compose runs them (the launcher's <see cref="ServiceEnvironment"/>); the
/// development broker runs in the test process.
/// </summary>
public sealed class ProcessDeployment : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output;
    private readonly ServiceSpec[] _workerSpecs;
    private readonly ServiceProcess?[] _workers;

    private ProcessDeployment(MockKafkaCluster broker, ServiceSpec api, ServiceSpec[] workers, ConcurrentQueue<string> output)
    {
        _output = output;
        _workerSpecs = workers;
        _workers = new ServiceProcess?[workers.Length];
        Broker = broker;
        ApiProcess = ServiceProcess.Start(api, output.Enqueue);
        Api = new EventsApi(new HttpClient { BaseAddress = new Uri(api.ReadyUrl, "/"), Timeout = TimeSpan.FromSeconds(10) });
    }

    public MockKafkaCluster Broker { get; }

    /// <summary>The first worker.</summary>
    public ServiceProcess Worker => WorkerAt(0);

    public ServiceProcess ApiProcess { get; }

    public EventsApi Api { get; }

    /// <summary>The first worker's HTTP/1.1 port: /health/* and /metrics.</summary>
    public Uri WorkerHealthUrl => WorkerHealthUrlAt(0);

    /// <summary>Worker <paramref name="index"/>'s HTTP/1.1 port: /health/* and /metrics.</summary>
    public Uri WorkerHealthUrlAt(int index) => new(_workerSpecs[index].ReadyUrl, "/");

    /// <summary>Worker <paramref name="index"/>'s gRPC port (HTTP/2 without TLS), as the API reaches it.</summary>
    public Uri WorkerGrpcUrlAt(int index) =>
        new($"http://127.0.0.1:{_workerSpecs[index].Environment["WORKER_GRPC_PORT"]}");

    /// <summary>The API's address, for clients that speak HTTP over a raw socket.</summary>
    public Uri ApiAddress => Api.Http.BaseAddress!;

    /// <summary>Everything the processes printed, for a failing test to show.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// The output's lines once one of them contains <paramref name="text"/>. A service writes its log lines in batches,
    /// up to 10 ms after they are logged (Shared.Hosting's StandardOutputSink): a test that saw an
    /// event stored waits here for the line that tells of it.
    /// </summary>
    public async Task<string[]> LinesOnceWrittenAsync(string text)
    {
        await Eventually.UntilAsync(
            () => Task.FromResult(_output.Any(line => line.Contains(text, StringComparison.Ordinal))),
            $"a line with {text} in the processes' output");
        return Output.Split('\n');
    }

    /// <param name="topic">The events' topic, created with <paramref name="partitions"/> partitions.</param>
    /// <param name="settings">Environment variables on top of the defaults, for every process.</param>
    /// <param name="workers">Worker processes in the group; the API is given all their addresses.</param>
    /// <param name="partitions">The topic's partition count.</param>
    public static async Task<ProcessDeployment> StartAsync(
        string topic = "user-activity-events", IReadOnlyDictionary<string, string>? settings = null, int workers = 1, int partitions = 3)
    {
        // Workers started together join the group's first assignment, so it settles in one rebalance.
        var broker = MockKafkaCluster.Start(groupJoinDelay: GroupJoinDelay.For(workers));
        broker.CreateTopic(topic, partitions);
        broker.CreateTopic($"{topic}.dlq", partitions: 1);
        var ports = FreePorts.Take(1 + (2 * workers));
        var shared = ServiceEnvironment.Shared(broker.BootstrapServers, topic, $"{topic}.dlq");
        shared["KAFKA_SESSION_TIMEOUT_MS"] = ServiceEnvironment.DevelopmentSessionTimeoutMs;
        shared["LOG_FORMAT"] = "json";
        // The tests follow requests through their spans: every one is traced, not the deployed default's share.
        shared["OTEL_TRACES_SAMPLER"] = "always_on";
        var workerSpecs = Enumerable.Range(0, workers)
            .Select(i => ServiceEnvironment.Worker(ServiceEnvironment.WorkerName(i), ports[1 + (2 * i)], ports[2 + (2 * i)], shared).With(settings))
            .ToArray();
        var api = ServiceEnvironment.Api(ports[0], workerSpecs.Select((_, i) => ports[1 + (2 * i)]), shared).With(settings);
        var deployment = new ProcessDeployment(broker, api, workerSpecs, new ConcurrentQueue<string>());
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
        _workers[index] = ServiceProcess.Start(_workerSpecs[index], _output.Enqueue);
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
}
