using System.Net;
using System.Net.Sockets;
using DevBroker;

namespace LocalStack;

/// <summary>The development broker and, unless --broker-only, the worker and the API wired to it.</summary>
internal static class Stack
{
    public const string DevelopmentOnlyNotice =
        "The broker is librdkafka's in-memory mock cluster: for development and tests only. It keeps at most 5 MiB " +
        "per partition and loses everything when LocalStack stops. Use docker compose for real Kafka.";

    public static async Task<int> RunAsync(StackSettings settings, CancellationToken stopping)
    {
        var workers = Enumerable.Range(0, settings.Workers)
            .Select(i => (Name: i == 0 ? "worker" : $"worker{i + 1}", Grpc: settings.WorkerGrpcPort + i, Health: settings.WorkerHealthPort + i))
            .ToList();
        EnsurePortsFree(settings.BrokerOnly
            ? [settings.ControlPort]
            : [settings.ApiPort, settings.ControlPort, .. workers.SelectMany(w => new[] { w.Grpc, w.Health })]);
        using var broker = MockKafkaCluster.Start(settings.Brokers);
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

        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_TOPIC"] = settings.Topic,
            ["KAFKA_DLQ_TOPIC"] = settings.DeadLetterTopic,
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = Invariant(settings.ApiPort),
            // The API asks every worker: a list of their addresses.
            ["WORKER_GRPC_URL"] = string.Join(",", workers.Select(w => $"http://127.0.0.1:{w.Grpc}")),
        };

        var services = new List<ServiceProcess>();
        foreach (var worker in workers)
        {
            services.Add(ServiceProcess.Start(worker.Name, "Consumer.Worker", new Dictionary<string, string>(environment)
            {
                ["WORKER_GRPC_PORT"] = Invariant(worker.Grpc),
                ["WORKER_HEALTH_PORT"] = Invariant(worker.Health),
            }));
        }

        services.Add(ServiceProcess.Start("api", "Producer.Api", environment));
        await using var stopAll = new StopInReverse(services);
        var anyExit = Task.WhenAny(services.Select(s => s.Exited));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = await WaitUntilReadyAsync(
            http,
            [.. workers.Select(w => $"http://127.0.0.1:{w.Health}/health/ready"), $"http://127.0.0.1:{settings.ApiPort}/health/ready"],
            anyExit,
            stopping);
        if (!ready)
        {
            return anyExit.IsCompleted ? ReportExit(services) : stopping.IsCancellationRequested ? 0 : 1;
        }

        var workerLines = string.Join("\n", workers.Select(w =>
            $"  {(w.Name + " gRPC"),-15}127.0.0.1:{w.Grpc}  (grpcurl -plaintext 127.0.0.1:{w.Grpc} list; health http://127.0.0.1:{w.Health}/health/ready)"));
        Console.WriteLine($"""

            LocalStack is ready.
              API            http://127.0.0.1:{settings.ApiPort}  (POST /events/generate, GET /events/processed)
            {workerLines}
              Kafka          {broker.BootstrapServers}  (topic {settings.Topic}, {settings.Partitions} partitions; kcat -b {broker.BootstrapServers} -L)
              Fault control  {control.Url()}  (GET /brokers, POST /brokers/1/down; see docs/fault-control.md)
            Press Ctrl-C to stop.

            """);

        var finished = await Task.WhenAny(anyExit, WaitForStopAsync(stopping));
        await control.StopAsync(CancellationToken.None);
        return finished == anyExit ? ReportExit(services) : 0;
    }

    private static async Task<bool> WaitUntilReadyAsync(HttpClient http, string[] urls, Task anyExit, CancellationToken stopping)
    {
        // Polling with a deadline: a child process offers no readiness signal but its health endpoint.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        foreach (var url in urls)
        {
            while (true)
            {
                if (anyExit.IsCompleted || stopping.IsCancellationRequested)
                {
                    return false;
                }

                if (DateTime.UtcNow > deadline)
                {
                    await Console.Error.WriteLineAsync($"{url} did not report ready within 90 s.");
                    return false;
                }

                try
                {
                    using var response = await http.GetAsync(url, stopping);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // The probe's own timeout; try again.
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None), anyExit);
            }
        }

        return true;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int ReportExit(IEnumerable<ServiceProcess> services)
    {
        foreach (var service in services.Where(s => s.Exited.IsCompleted))
        {
            Console.Error.WriteLine($"{service.Name} exited with code {service.ExitCode}; stopping LocalStack.");
        }

        return 1;
    }

    private static void EnsurePortsFree(int[] ports)
    {
        foreach (var port in ports)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
            }
            catch (SocketException)
            {
                throw new InvalidOperationException(
                    $"Port {port} on 127.0.0.1 is in use. Stop what holds it, or choose other ports with API_PORT, WORKER_GRPC_PORT, WORKER_HEALTH_PORT and {FaultControl.PortVariable}.");
            }
        }
    }

    private static Task WaitForStopAsync(CancellationToken stopping) =>
        Task.Delay(Timeout.Infinite, stopping).ContinueWith(static _ => { }, TaskScheduler.Default);

    /// <summary>Stops the API first, then the workers, so no request is in flight when the workers go.</summary>
    private sealed class StopInReverse(List<ServiceProcess> services) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            for (var i = services.Count - 1; i >= 0; i--)
            {
                await services[i].DisposeAsync();
            }
        }
    }
}
