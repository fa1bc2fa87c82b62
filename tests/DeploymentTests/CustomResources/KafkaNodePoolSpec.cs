using k8s.Models;

namespace DeploymentTests.CustomResources;

public sealed class KafkaNodePoolSpec
{
    public int Replicas { get; set; }

    /// <summary>controller, broker or both (KRaft).</summary>
    public IList<string> Roles { get; init; } = [];

    public KafkaStorage Storage { get; set; } = new();

    /// <summary>The core type: the CRD's resources are a container's resource requirements.</summary>
    public V1ResourceRequirements? Resources { get; set; }
}
