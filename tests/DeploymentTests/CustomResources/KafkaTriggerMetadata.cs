namespace DeploymentTests.CustomResources;

/// <summary>The kafka scaler's parameters that the manifests use; every value is a string to KEDA.</summary>
public sealed class KafkaTriggerMetadata
{
    /// <summary>The name of a variable of the scale target's container that holds the brokers.</summary>
    public string? BootstrapServersFromEnv { get; set; }

    public string? BootstrapServers { get; set; }

    public string? ConsumerGroup { get; set; }

    public string? Topic { get; set; }

    /// <summary>The lag one replica may have: replicas = ceil(total lag / lagThreshold).</summary>
    public string? LagThreshold { get; set; }

    /// <summary>latest (KEDA's default) or earliest: how a partition without a committed offset counts.</summary>
    public string? OffsetResetPolicy { get; set; }

    /// <summary>"true" lets KEDA scale past the partition count; false (the default) caps it there.</summary>
    public string? AllowIdleConsumers { get; set; }
}
