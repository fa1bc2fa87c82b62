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
        EnsurePortsFree(settings.BrokerOnly
            ? [settings.ControlPort]
            : [settings.ApiPort, settings.WorkerGrpcPort, settings.WorkerHealthPort, settings.ControlPort]);
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
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = settings.ApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WORKER_GRPC_PORT"] = settings.WorkerGrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WORKER_HEALTH_PORT"] = settings.WorkerHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WORKER_GRPC_URL"] = $"http://127.0.0.1:{settings.WorkerGrpcPort}",
        };

        await using var worker = ServiceProcess.Start("worker", "Consumer.Worker", environment);
        await using var api = ServiceProcess.Start("api", "Producer.Api", environment);
        var anyExit = Task.WhenAny(worker.Exited, api.Exited);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = await WaitUntilReadyAsync(
            http,
            [$"http://127.0.0.1:{settings.WorkerHealthPort}/health/ready", $"http://127.0.0.1:{settings.ApiPort}/health/ready"],
            anyExit,
            stopping);
        if (!ready)
        {
            return anyExit.IsCompleted ? ReportExit(worker, api) : stopping.IsCancellationRequested ? 0 : 1;
        }

        Console.WriteLine($"""

            LocalStack is ready.
              API            http://127.0.0.1:{settings.ApiPort}  (POST /events/generate, GET /events/processed)
              Worker gRPC    127.0.0.1:{settings.WorkerGrpcPort}  (grpcurl -plaintext 127.0.0.1:{settings.WorkerGrpcPort} list)
              Worker health  http://127.0.0.1:{settings.WorkerHealthPort}/health/ready
              Kafka          {broker.BootstrapServers}  (topic {settings.Topic}, {settings.Partitions} partitions; kcat -b {broker.BootstrapServers} -L)
              Fault control  {control.Url()}  (GET /brokers, POST /brokers/1/down; see docs/fault-control.md)
            Press Ctrl-C to stop.

            """);

        var finished = await Task.WhenAny(anyExit, WaitForStopAsync(stopping));
        await control.StopAsync(CancellationToken.None);
        return finished == anyExit ? ReportExit(worker, api) : 0;
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

    private static int ReportExit(ServiceProcess worker, ServiceProcess api)
    {
        foreach (var service in new[] { worker, api }.Where(s => s.Exited.IsCompleted))
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
}
