namespace DeploymentTests.CustomResources;

/// <summary>Present (even empty) means Strimzi runs the topic operator, which turns KafkaTopic resources into topics.</summary>
public sealed class TopicOperatorSpec;
