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

    /// <summary>Where messages go that cannot be processed: malformed ones at once, failing ones after their retries.</summary>
    [ConfigurationKeyName("KAFKA_DLQ_TOPIC")]
    [Required(ErrorMessage = "KAFKA_DLQ_TOPIC must name the dead-letter topic, such as user-activity-events.dlq.")]
    [RegularExpression(@"^[a-zA-Z0-9._-]{1,249}$",
        ErrorMessage = "KAFKA_DLQ_TOPIC must be 1 to 249 characters of letters, digits, '.', '_' and '-'.")]
    public string DeadLetterTopic { get; set; } = "user-activity-events.dlq";

    /// <summary>Attempts at processing one message before it is dead-lettered (transient failures only).</summary>
    [ConfigurationKeyName("PROCESSING_MAX_ATTEMPTS")]
    [Range(1, 20, ErrorMessage = "PROCESSING_MAX_ATTEMPTS must be between 1 and 20.")]
    public int ProcessingMaxAttempts { get; set; } = 3;

    /// <summary>
    /// How long the group waits for a silent member before giving its partitions to another. Kafka's 45 s default
    /// makes a crashed worker's partitions stall that long; 10 s is still well above any GC pause.
    /// </summary>
    [ConfigurationKeyName("KAFKA_SESSION_TIMEOUT_MS")]
    [Range(1_000, 300_000, ErrorMessage = "KAFKA_SESSION_TIMEOUT_MS must be between 1000 and 300000 (milliseconds).")]
    public int SessionTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// How long a fetch may wait at the broker for data. Kafka answers as soon as data is there, so on a real broker
    /// this only bounds idle fetches; the development broker holds every empty fetch for the whole wait, so there it
    /// is also the longest time a new event waits to be fetched.
    /// </summary>
    [ConfigurationKeyName("KAFKA_FETCH_WAIT_MAX_MS")]
    [Range(1, 5_000, ErrorMessage = "KAFKA_FETCH_WAIT_MAX_MS must be between 1 and 5000 (milliseconds).")]
    public int FetchWaitMaxMs { get; set; } = 20;
}
