using System.ComponentModel.DataAnnotations;

namespace Producer.Api.Options;

/// <summary>The API's own settings, each bound from the environment variable it names.</summary>
public sealed class ProducerApiOptions : IValidatableObject
{
    [ConfigurationKeyName("API_PORT")]
    [Range(1, 65535, ErrorMessage = "API_PORT must be a TCP port (1-65535).")]
    public int Port { get; set; } = 8080;

    /// <summary>
    /// How long a POST may wait for Kafka's acknowledgement. It is also librdkafka's delivery timeout
    /// (message.timeout.ms), so a message is not still being retried long after its client was told 503.
    /// </summary>
    [ConfigurationKeyName("PUBLISH_TIMEOUT_MS")]
    [Range(500, 60_000, ErrorMessage = "PUBLISH_TIMEOUT_MS must be between 500 and 60000 (milliseconds).")]
    public int PublishTimeoutMs { get; set; } = 5_000;

    [ConfigurationKeyName("MAX_BODY_BYTES")]
    [Range(256, 1_048_576, ErrorMessage = "MAX_BODY_BYTES must be between 256 and 1048576.")]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The largest payload object, counted as the JSON bytes the client sent. It fits inside the body limit.</summary>
    [ConfigurationKeyName("MAX_PAYLOAD_BYTES")]
    [Range(2, 1_048_576, ErrorMessage = "MAX_PAYLOAD_BYTES must be between 2 and 1048576.")]
    public int MaxPayloadBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How long one request may take from its headers to its answer, body upload included: a client that trickles
    /// its body is answered 408 and cut off. Longer than the publish and worker timeouts, so that a slow Kafka or
    /// worker is answered by its own, more precise 503 first.
    /// </summary>
    [ConfigurationKeyName("REQUEST_TIMEOUT_MS")]
    [Range(1_000, 600_000, ErrorMessage = "REQUEST_TIMEOUT_MS must be between 1000 and 600000 (milliseconds).")]
    public int RequestTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// The workers' gRPC addresses: http://localhost:5001, a comma-separated list, or dns:///name:port for a name
    /// that resolves to every replica.
    /// </summary>
    [ConfigurationKeyName("WORKER_GRPC_URL")]
    [Required(ErrorMessage = "WORKER_GRPC_URL must be the workers' gRPC address, such as http://localhost:5001.")]
    [WorkerAddresses]
    public string WorkerGrpcUrl { get; set; } = "http://localhost:5001";

    public WorkerAddresses Workers => WorkerAddresses.TryParse(WorkerGrpcUrl, out var parsed, out _) ? parsed : new WorkerAddresses([], null, 0);

    /// <summary>Most events in one POST /events/generate/batch.</summary>
    [ConfigurationKeyName("MAX_BATCH_EVENTS")]
    [Range(1, 10_000, ErrorMessage = "MAX_BATCH_EVENTS must be between 1 and 10000.")]
    public int MaxBatchEvents { get; set; } = 500;

    /// <summary>Largest accepted body of a batch.</summary>
    [ConfigurationKeyName("MAX_BATCH_BODY_BYTES")]
    [Range(1024, 16 * 1_048_576, ErrorMessage = "MAX_BATCH_BODY_BYTES must be between 1024 and 16777216.")]
    public int MaxBatchBodyBytes { get; set; } = 1_048_576;

    /// <summary>Deadline of a unary call to the worker (get one event, health), and of the first page of a list.</summary>
    [ConfigurationKeyName("WORKER_CALL_TIMEOUT_MS")]
    [Range(100, 60_000, ErrorMessage = "WORKER_CALL_TIMEOUT_MS must be between 100 and 60000 (milliseconds).")]
    public int WorkerCallTimeoutMs { get; set; } = 3_000;

    /// <summary>Deadline of a whole list stream: long enough for a million events.</summary>
    [ConfigurationKeyName("WORKER_LIST_TIMEOUT_MS")]
    [Range(1_000, 3_600_000, ErrorMessage = "WORKER_LIST_TIMEOUT_MS must be between 1000 and 3600000 (milliseconds).")]
    public int WorkerListTimeoutMs { get; set; } = 300_000;

    /// <summary>
    /// librdkafka's linger.ms: how long the producer waits to batch. Small, since every POST awaits its ack; 2 ms rather
    /// than 0.5, since fewer and larger produce requests cost the broker less per event than the wait costs a POST
    /// (BENCHMARKS.md, "End to end as the issue defines it").
    /// </summary>
    [ConfigurationKeyName("KAFKA_LINGER_MS")]
    [Range(0.0, 1000.0, ErrorMessage = "KAFKA_LINGER_MS must be between 0 and 1000.")]
    public double LingerMs { get; set; } = 2;

    /// <summary>How long POST answers 503 at once, without trying Kafka, after the circuit opened on failures.</summary>
    [ConfigurationKeyName("PUBLISH_CIRCUIT_BREAK_SECONDS")]
    [Range(1, 300, ErrorMessage = "PUBLISH_CIRCUIT_BREAK_SECONDS must be between 1 and 300.")]
    public int CircuitBreakSeconds { get; set; } = 5;

    /// <summary>
    /// Read your writes: how long a query that carries a consistency token waits for the workers to have stored the
    /// positions it names before it answers 503 naming the partitions that lag. 0 answers at once.
    /// </summary>
    [ConfigurationKeyName("CONSISTENCY_WAIT_MS")]
    [Range(0, 60_000, ErrorMessage = "CONSISTENCY_WAIT_MS must be between 0 and 60000 (milliseconds).")]
    public int ConsistencyWaitMs { get; set; } = 5_000;

    public TimeSpan ConsistencyWait => TimeSpan.FromMilliseconds(ConsistencyWaitMs);

    public TimeSpan PublishTimeout => TimeSpan.FromMilliseconds(PublishTimeoutMs);

    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);

    public TimeSpan WorkerCallTimeout => TimeSpan.FromMilliseconds(WorkerCallTimeoutMs);

    public TimeSpan WorkerListTimeout => TimeSpan.FromMilliseconds(WorkerListTimeoutMs);

    /// <summary>The rules between settings; each message names both variables.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxPayloadBytes > MaxBodyBytes)
        {
            yield return new ValidationResult(
                $"MAX_PAYLOAD_BYTES ({MaxPayloadBytes}) must not exceed MAX_BODY_BYTES ({MaxBodyBytes}): the payload travels inside the body.",
                [nameof(MaxPayloadBytes)]);
        }

        if (RequestTimeoutMs <= PublishTimeoutMs || RequestTimeoutMs <= WorkerCallTimeoutMs)
        {
            yield return new ValidationResult(
                $"REQUEST_TIMEOUT_MS ({RequestTimeoutMs}) must be greater than PUBLISH_TIMEOUT_MS ({PublishTimeoutMs}) and WORKER_CALL_TIMEOUT_MS ({WorkerCallTimeoutMs}), so that a slow Kafka or worker gets its own answer before the request times out.",
                [nameof(RequestTimeoutMs)]);
        }

        if (RequestTimeoutMs <= ConsistencyWaitMs + WorkerCallTimeoutMs)
        {
            yield return new ValidationResult(
                $"REQUEST_TIMEOUT_MS ({RequestTimeoutMs}) must be greater than CONSISTENCY_WAIT_MS ({ConsistencyWaitMs}) plus WORKER_CALL_TIMEOUT_MS ({WorkerCallTimeoutMs}), so that a read that waits for a token is answered (503 naming the lagging partitions) before the request times out.",
                [nameof(ConsistencyWaitMs)]);
        }
    }
}
