namespace DeploymentTests.CustomResources;

public sealed class ScaleTrigger
{
    public string Type { get; set; } = string.Empty;

    /// <summary>
    /// The CRD types it as a map of strings; its keys are the kafka scaler's (pkg/scalers/kafka_scaler.go), so they
    /// are typed here too, and a misspelt key fails the test instead of being ignored by KEDA.
    /// </summary>
    public KafkaTriggerMetadata Metadata { get; set; } = new();
}
