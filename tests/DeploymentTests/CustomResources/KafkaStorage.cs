namespace DeploymentTests.CustomResources;

public sealed class KafkaStorage
{
    /// <summary>ephemeral, persistent-claim or jbod.</summary>
    public string Type { get; set; } = string.Empty;

    public IList<KafkaVolume> Volumes { get; init; } = [];
}
