using System.Globalization;

namespace Launcher;

/// <summary>
/// The environment variables that wire the API and the workers together on one machine, exactly as README's
/// configuration table and docker-compose.yml name them; everything listens on 127.0.0.1.
/// </summary>
public static class ServiceEnvironment
{
    public const string ApiProject = "Producer.Api";
    public const string WorkerProject = "Consumer.Worker";

    /// <summary>The standard OpenTelemetry variable for resource attributes; each worker gets its own service.instance.id.</summary>
    public const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>
    /// The workers' session timeout on the development broker, unless KAFKA_SESSION_TIMEOUT_MS says otherwise: a
    /// killed worker's partitions move after 6 s rather than 10, and every rebalance there holds the join for the
    /// session timeout less one second (5 s rather than 9).
    /// </summary>
    public const string DevelopmentSessionTimeoutMs = "6000";

    /// <summary>What every service gets: the broker, the topics, and the loopback address to listen on.</summary>
    public static Dictionary<string, string> Shared(string bootstrapServers, string topic, string deadLetterTopic) => new(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrapServers,
        ["KAFKA_TOPIC"] = topic,
        ["KAFKA_DLQ_TOPIC"] = deadLetterTopic,
        ["BIND_ADDRESS"] = "127.0.0.1",
        ["KAFKA_SESSION_TIMEOUT_MS"] = Environment.GetEnvironmentVariable("KAFKA_SESSION_TIMEOUT_MS") is { Length: > 0 } own
            ? own
            : DevelopmentSessionTimeoutMs,
    };

    /// <summary>The name of worker <paramref name="index"/> (from 0): worker, worker2, worker3, ...</summary>
    public static string WorkerName(int index) => index == 0 ? "worker" : $"worker{index + 1}";

    /// <summary>
    /// A worker on its own ports. Its name becomes its OpenTelemetry service.instance.id, so that several workers on
    /// one machine (one machine name) are told apart in traces, metrics and logs.
    /// </summary>
    public static ServiceSpec Worker(string name, int grpcPort, int healthPort, IReadOnlyDictionary<string, string> shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var environment = new Dictionary<string, string>(shared, StringComparer.Ordinal)
        {
            ["WORKER_GRPC_PORT"] = Invariant(grpcPort),
            ["WORKER_HEALTH_PORT"] = Invariant(healthPort),
        };
        environment[ResourceAttributesVariable] = WithInstanceId(
            shared.GetValueOrDefault(ResourceAttributesVariable) ?? Environment.GetEnvironmentVariable(ResourceAttributesVariable),
            name);
        return new ServiceSpec(name, ServiceProcess.BuiltAssembly(WorkerProject), [], environment, HealthUrl(healthPort));
    }

    /// <summary>The API on <paramref name="port"/>, given every worker's gRPC address.</summary>
    public static ServiceSpec Api(int port, IEnumerable<int> workerGrpcPorts, IReadOnlyDictionary<string, string> shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var environment = new Dictionary<string, string>(shared, StringComparer.Ordinal)
        {
            ["API_PORT"] = Invariant(port),
            // The API asks every worker: a list of their addresses.
            ["WORKER_GRPC_URL"] = string.Join(",", workerGrpcPorts.Select(grpc => $"http://127.0.0.1:{Invariant(grpc)}")),
        };
        return new ServiceSpec("api", ServiceProcess.BuiltAssembly(ApiProject), [], environment, HealthUrl(port));
    }

    /// <summary>http://127.0.0.1:<paramref name="port"/>/health/ready: where both services report readiness.</summary>
    public static Uri HealthUrl(int port) => new($"http://127.0.0.1:{Invariant(port)}/health/ready");

    /// <summary>
    /// <paramref name="attributes"/> (OTEL_RESOURCE_ATTRIBUTES's key=value,key=value list, possibly empty) with
    /// service.instance.id set to <paramref name="instanceId"/>; other attributes a user exported are kept.
    /// </summary>
    public static string WithInstanceId(string? attributes, string instanceId)
    {
        var kept = (attributes ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(pair => !pair.StartsWith("service.instance.id=", StringComparison.Ordinal));
        return string.Join(",", kept.Append($"service.instance.id={instanceId}"));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
