using DevBroker;
using Launcher;

namespace DevStack;

/// <summary>
/// The development broker and, unless --broker-only, the workers and the API wired to it, each supervised: a service
/// that exits is reported and started again, as a container runtime with a restart policy would.
/// </summary>
internal static class Stack
{
    public const string DevelopmentOnlyNotice =
        "The broker is librdkafka's in-memory mock cluster: for development and tests only. It keeps at most 5 MiB " +
        "per partition and loses everything when DevStack stops. Use docker compose for real Kafka.";

    /// <summary>How long a stopping service may drain before it is killed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(StackSettings settings, CancellationToken stopping)
    {
        var workerPorts = Enumerable.Range(0, settings.Workers)
            .Select(i => (Name: ServiceEnvironment.WorkerName(i), Grpc: settings.WorkerGrpcPort + i, Health: settings.WorkerHealthPort + i))
            .ToList();
        EnsurePortsFree(settings.BrokerOnly
            ? [settings.ControlPort]
            : [settings.ApiPort, settings.ControlPort, .. workerPorts.SelectMany(w => new[] { w.Grpc, w.Health })]);
        // The group's first join waits for every worker started together, so that it settles in one rebalance.
        using var broker = MockKafkaCluster.Start(settings.Brokers, GroupJoinDelay.For(settings.Workers));
        broker.CreateTopic(settings.Topic, settings.Partitions, replicationFactor: settings.Brokers);
        broker.CreateTopic(settings.DeadLetterTopic, partitions: 1, replicationFactor: settings.Brokers);
        Console.WriteLine(DevelopmentOnlyNotice);

        // Declared after the broker, so it stops taking commands before the broker goes away.
        await using var control = FaultControl.Create(new BrokerFaults(broker, line => Console.WriteLine($"{"control",-7}| {line}")), settings.ControlPort);
        await control.StartAsync(stopping);
        if (settings.BrokerOnly)
        {
            Console.WriteLine($"Topic {settings.Topic} has {settings.Partitions} partitions. Press Ctrl-C to stop.");
            Console.WriteLine($"Fault control: {control.Url()}  (GET /brokers; see docs/fault-control.md)");
            // Printed last and alone, so a script can read it: `... | grep -m1 ^KAFKA_BOOTSTRAP_SERVERS=`.
            Console.WriteLine($"KAFKA_BOOTSTRAP_SERVERS={broker.BootstrapServers}");
            await WaitForStopAsync(stopping);
            await control.StopAsync(CancellationToken.None);
            return 0;
        }

        var shared = ServiceEnvironment.Shared(broker.BootstrapServers, settings.Topic, settings.DeadLetterTopic);
        var workers = workerPorts
            .Select(w => Supervise(ServiceEnvironment.Worker(w.Name, w.Grpc, w.Health, shared)))
            .ToList();
        var api = Supervise(ServiceEnvironment.Api(settings.ApiPort, workerPorts.Select(w => w.Grpc), shared));
        // Stopped first on the way out, so no request is in flight when the workers go.
        List<SupervisedService> services = [api, .. workers];

        using var supervising = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var ownership = new WorkerOwnership(workerPorts.Select(w => (w.Name, w.Grpc)));
        var runs = services.Select(s => s.RunAsync(supervising.Token)).ToList();
        var gaveUp = Task.WhenAny(runs).Unwrap();
        var stopped = WaitForStopAsync(stopping);
        try
        {
            var ready = ReadyAsync(services, ownership, settings, supervising.Token);
            var first = await Task.WhenAny(ready, gaveUp, stopped);
            if (first == ready)
            {
                PrintReady(settings, broker, control.Url(), workers, workerPorts, await ready);
                first = await Task.WhenAny(WatchOwnershipAsync(ownership, await ready, supervising.Token), gaveUp, stopped);
            }

            if (first == gaveUp && !gaveUp.IsCompletedSuccessfully)
            {
                await Console.Error.WriteLineAsync(gaveUp.Exception?.InnerException is ServiceGaveUpException ex
                    ? $"DevStack: {ex.Message} Stopping DevStack."
                    : $"DevStack: supervision ended unexpectedly: {gaveUp.Exception?.InnerException?.Message}");
                return 1;
            }

            return 0;
        }
        finally
        {
            await supervising.CancelAsync();
            await Task.WhenAll(runs.Select(r => r.ContinueWith(static _ => { }, TaskScheduler.Default)));
            foreach (var service in services)
            {
                await service.StopAsync(StopGrace);
            }

            await control.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Every service has reported ready and, when there are no more workers than partitions, every worker serves at
    /// least one: the group has settled, so the split printed with "ready" is the one that stays.
    /// </summary>
    private static async Task<string> ReadyAsync(
        List<SupervisedService> services, WorkerOwnership ownership, StackSettings settings, CancellationToken cancellationToken)
    {
        await Task.WhenAll(services.Select(s => s.FirstReady)).WaitAsync(cancellationToken);
        while (true)
        {
            var split = await ownership.ReadAsync(cancellationToken);
            if (settings.Workers > settings.Partitions || split.All(w => w.Served is { Count: > 0 }))
            {
                return WorkerOwnership.Describe(split);
            }

            // Polling: the group offers no signal that it has settled but the workers' own answers.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>Prints the split of the partitions whenever it changes: a failover and the rejoin after a restart show as they happen.</summary>
    private static async Task WatchOwnershipAsync(WorkerOwnership ownership, string printed, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                var split = WorkerOwnership.Describe(await ownership.ReadAsync(cancellationToken));
                if (split != printed)
                {
                    Report($"partitions: {split}");
                    printed = split;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping; the caller waits for the stop itself.
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }
    }

    private static void Report(string line) => Console.WriteLine($"{"stack",-7}| {line}");

    private static SupervisedService Supervise(ServiceSpec service) =>
        new(service, RestartPolicy.Default, Console.Out.WriteLine, Report);

    private static void PrintReady(
        StackSettings settings,
        MockKafkaCluster broker,
        string controlUrl,
        List<SupervisedService> workers,
        List<(string Name, int Grpc, int Health)> ports,
        string split)
    {
        var workerLines = string.Join("\n", ports.Select((w, i) =>
            $"  {(w.Name + " gRPC"),-15}127.0.0.1:{w.Grpc}  (pid {workers[i].Current?.ProcessId}; grpcurl -plaintext 127.0.0.1:{w.Grpc} list; health http://127.0.0.1:{w.Health}/health/ready)"));
        Console.WriteLine($"""

            DevStack is ready.
              API            http://127.0.0.1:{settings.ApiPort}  (POST /events/generate, GET /events/processed)
            {workerLines}
              Kafka          {broker.BootstrapServers}  (topic {settings.Topic}, {settings.Partitions} partitions; kcat -b {broker.BootstrapServers} -L)
              Fault control  {controlUrl}  (GET /brokers, POST /brokers/1/down; see docs/fault-control.md)
            Partitions: {split}.
            A service that exits is started again; `kill -9` a worker's pid to watch a failover. Press Ctrl-C to stop.

            """);
    }

    private static void EnsurePortsFree(int[] ports)
    {
        foreach (var port in ports.Where(FreePorts.IsInUse))
        {
            throw new InvalidOperationException(
                $"Port {port} on 127.0.0.1 is in use. Stop what holds it, or choose other ports with API_PORT, WORKER_GRPC_PORT, WORKER_HEALTH_PORT and {FaultControl.PortVariable}.");
        }
    }

    private static Task WaitForStopAsync(CancellationToken stopping) =>
        Task.Delay(Timeout.Infinite, stopping).ContinueWith(static _ => { }, TaskScheduler.Default);
}
