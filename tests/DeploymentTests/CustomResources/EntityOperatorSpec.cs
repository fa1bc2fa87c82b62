namespace DeploymentTests.CustomResources;

public sealed class EntityOperatorSpec
{
    public TopicOperatorSpec? TopicOperator { get; set; }
}
