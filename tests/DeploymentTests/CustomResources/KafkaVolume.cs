namespace DeploymentTests.CustomResources;

public sealed class KafkaVolume
{
    public int Id { get; set; }

    /// <summary>ephemeral or persistent-claim.</summary>
    public string Type { get; set; } = string.Empty;

    public string? Size { get; set; }

    public bool? DeleteClaim { get; set; }

    /// <summary>shared: the KRaft metadata log lives on this volume.</summary>
    public string? KraftMetadata { get; set; }
}
