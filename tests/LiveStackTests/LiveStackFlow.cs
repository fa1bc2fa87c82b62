using TestSupport;

namespace LiveStackTests;

/// <summary>
/// A stack someone else started (docker compose, on real Kafka), reached through E2E_API_URL and
/// E2E_KAFKA_BOOTSTRAP_SERVERS. Its topic and store are shared, so the scenarios read back only their own events.
/// </summary>
public sealed class LiveStackFlow(Uri api, string bootstrapServers, string topic) : IEventFlow
{
    public const string ApiVariable = "E2E_API_URL";
    public const string KafkaVariable = "E2E_KAFKA_BOOTSTRAP_SERVERS";
    public const string TopicVariable = "E2E_KAFKA_TOPIC";
    public const string DeadLetterVariable = "E2E_KAFKA_DLQ_TOPIC";

    public EventsApi Api { get; } = new(new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) });

    public string BootstrapServers => bootstrapServers;

    public string Topic => topic;

    public string DeadLetterTopic => Environment.GetEnvironmentVariable(DeadLetterVariable) ?? $"{topic}.dlq";

    public bool OwnsStore => false;

    public IRestartableWorker? Worker => null;

    /// <summary>The live stack named by the environment, or null with the reason when none is.</summary>
    public static LiveStackFlow? FromEnvironment(out string reason)
    {
        var api = Environment.GetEnvironmentVariable(ApiVariable);
        var kafka = Environment.GetEnvironmentVariable(KafkaVariable);
        if (string.IsNullOrWhiteSpace(api) || string.IsNullOrWhiteSpace(kafka))
        {
            reason = $"No live stack: set {ApiVariable} and {KafkaVariable} (docs/docker.md runs these tests against docker compose).";
            return null;
        }

        reason = string.Empty;
        return new LiveStackFlow(new Uri(api), kafka, Environment.GetEnvironmentVariable(TopicVariable) ?? "user-activity-events");
    }

    public ValueTask DisposeAsync()
    {
        Api.Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
