using System.ComponentModel.DataAnnotations;

namespace Consumer.Worker.Options;

/// <summary>The worker's own settings, each bound from the environment variable it names.</summary>
public sealed class WorkerOptions
{
    /// <summary>gRPC (HTTP/2 without TLS) for the API and for grpcurl.</summary>
    [ConfigurationKeyName("WORKER_GRPC_PORT")]
    [Range(1, 65535, ErrorMessage = "WORKER_GRPC_PORT must be a TCP port (1-65535).")]
    public int GrpcPort { get; set; } = 5001;

    /// <summary>HTTP/1.1 for /health/live and /health/ready.</summary>
    [ConfigurationKeyName("WORKER_HEALTH_PORT")]
    [Range(1, 65535, ErrorMessage = "WORKER_HEALTH_PORT must be a TCP port (1-65535).")]
    public int HealthPort { get; set; } = 8081;

    [ConfigurationKeyName("KAFKA_CONSUMER_GROUP")]
    [Required(ErrorMessage = "KAFKA_CONSUMER_GROUP must name the consumer group, such as user-activity-consumer-group.")]
    [RegularExpression(@"^[a-zA-Z0-9._-]{1,249}$",
        ErrorMessage = "KAFKA_CONSUMER_GROUP must be 1 to 249 characters of letters, digits, '.', '_' and '-'.")]
    public string ConsumerGroup { get; set; } = "user-activity-consumer-group";

    /// <summary>
    /// How long the group waits for a silent member before giving its partitions to another. Kafka's 45 s default
    /// makes a crashed worker's partitions stall that long; 10 s is still well above any GC pause.
    /// </summary>
    [ConfigurationKeyName("KAFKA_SESSION_TIMEOUT_MS")]
    [Range(1_000, 300_000, ErrorMessage = "KAFKA_SESSION_TIMEOUT_MS must be between 1000 and 300000 (milliseconds).")]
    public int SessionTimeoutMs { get; set; } = 10_000;
}
