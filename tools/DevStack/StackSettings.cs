using DevBroker;

namespace DevStack;

/// <summary>What the launcher starts, from its command line and the same environment variables the services read.</summary>
internal sealed record StackSettings(
    bool BrokerOnly,
    int Brokers,
    int Workers,
    int Partitions,
    string Topic,
    string DeadLetterTopic,
    int ApiPort,
    int WorkerGrpcPort,
    int WorkerHealthPort,
    int ControlPort)
{
    public const string Usage = """
        Usage: dotnet run --project tools/DevStack [-- options]

          --broker-only      start only the development broker and print its bootstrap address
          --partitions N     partitions of the topic (default 3, or DEVSTACK_PARTITIONS)
          --brokers N        brokers in the development cluster (default 1)
          --workers N        workers in the consumer group (default 1); worker i listens on
                             WORKER_GRPC_PORT + i and WORKER_HEALTH_PORT + i
          --help             this text

        Ports come from API_PORT (8080), WORKER_GRPC_PORT (5001), WORKER_HEALTH_PORT (8081) and
        DEVSTACK_CONTROL_PORT (9990, the broker's fault control on 127.0.0.1; see docs/fault-control.md);
        every other variable the services read is passed on to them as it is.
        """;

    public static StackSettings Parse(string[] args)
    {
        var brokerOnly = false;
        var brokers = 1;
        var workers = 1;
        var partitions = IntFromEnvironment("DEVSTACK_PARTITIONS", 3);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--broker-only":
                    brokerOnly = true;
                    break;
                case "--partitions":
                    partitions = PositiveInt(args, ++i, "--partitions");
                    break;
                case "--brokers":
                    brokers = PositiveInt(args, ++i, "--brokers");
                    break;
                case "--workers":
                    workers = PositiveInt(args, ++i, "--workers");
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new StackSettings(
            brokerOnly,
            brokers,
            workers,
            partitions,
            Environment.GetEnvironmentVariable("KAFKA_TOPIC") ?? "user-activity-events",
            Environment.GetEnvironmentVariable("KAFKA_DLQ_TOPIC") ?? "user-activity-events.dlq",
            IntFromEnvironment("API_PORT", 8080),
            IntFromEnvironment("WORKER_GRPC_PORT", 5001),
            IntFromEnvironment("WORKER_HEALTH_PORT", 8081),
            IntFromEnvironment(FaultControl.PortVariable, FaultControl.DefaultPort));
    }

    private static int PositiveInt(string[] args, int index, string option) =>
        index < args.Length && int.TryParse(args[index], out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} takes a positive whole number.");

    private static int IntFromEnvironment(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive whole number, not '{text}'.");
    }
}
