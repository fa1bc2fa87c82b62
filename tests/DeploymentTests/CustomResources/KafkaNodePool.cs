using k8s;
using k8s.Models;

namespace DeploymentTests.CustomResources;

/// <summary>
/// Strimzi's KafkaNodePool (kafka.strimzi.io/v1), with the fields the manifests use, as the CRD of Strimzi 1.2.0
/// (045-Crd-kafkanodepool.yaml) names them. Its label strimzi.io/cluster names the Kafka it belongs to.
/// </summary>
public sealed class KafkaNodePool : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = $"{Kafka.Group}/{Kafka.Version}";

    public string Kind { get; set; } = nameof(KafkaNodePool);

    public V1ObjectMeta Metadata { get; set; } = new();

    public KafkaNodePoolSpec Spec { get; set; } = new();
}

public sealed class KafkaNodePoolSpec
{
    public int Replicas { get; set; }

    /// <summary>controller, broker or both (KRaft).</summary>
    public IList<string> Roles { get; init; } = [];

    public KafkaStorage Storage { get; set; } = new();

    /// <summary>The core type: the CRD's resources are a container's resource requirements.</summary>
    public V1ResourceRequirements? Resources { get; set; }
}

public sealed class KafkaStorage
{
    /// <summary>ephemeral, persistent-claim or jbod.</summary>
    public string Type { get; set; } = string.Empty;

    public IList<KafkaVolume> Volumes { get; init; } = [];
}

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
