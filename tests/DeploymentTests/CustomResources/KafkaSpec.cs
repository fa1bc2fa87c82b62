namespace DeploymentTests.CustomResources;

public sealed class KafkaSpec
{
    public KafkaClusterSpec Kafka { get; set; } = new();

    public EntityOperatorSpec? EntityOperator { get; set; }
}
