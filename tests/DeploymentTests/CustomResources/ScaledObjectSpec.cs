namespace DeploymentTests.CustomResources;

public sealed class ScaledObjectSpec
{
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();

    public int? PollingInterval { get; set; }

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public ScaledObjectAdvanced? Advanced { get; set; }

    public IList<ScaleTrigger> Triggers { get; init; } = [];
}
