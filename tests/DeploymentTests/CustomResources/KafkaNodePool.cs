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
