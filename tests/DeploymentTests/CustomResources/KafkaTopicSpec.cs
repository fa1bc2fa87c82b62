namespace DeploymentTests.CustomResources;

public sealed class KafkaTopicSpec
{
    public string? TopicName { get; set; }

    public int? Partitions { get; set; }

    public int? Replicas { get; set; }

    /// <summary>Topic configuration (retention.ms, cleanup.policy...): free-form in the CRD.</summary>
    public IDictionary<string, object> Config { get; init; } = new Dictionary<string, object>();
}
