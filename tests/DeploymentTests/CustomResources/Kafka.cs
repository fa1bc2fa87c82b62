using k8s;
using k8s.Models;

namespace DeploymentTests.CustomResources;

/// <summary>
/// Strimzi's Kafka (kafka.strimzi.io/v1, served by Strimzi 0.49 and later, the only version of 1.x), with the fields
/// the manifests use, as the CRD of Strimzi 1.2.0 (packaging/install/cluster-operator/040-Crd-kafka.yaml) names them.
/// Loaded strictly, like every custom resource here.
/// </summary>
public sealed class Kafka : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "kafka.strimzi.io";
    public const string Version = "v1";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = nameof(Kafka);

    public V1ObjectMeta Metadata { get; set; } = new();

    public KafkaSpec Spec { get; set; } = new();

    /// <summary>The Service Strimzi creates for clients to bootstrap from: &lt;cluster&gt;-kafka-bootstrap.</summary>
    public string BootstrapServiceName => $"{Metadata.Name}-kafka-bootstrap";
}
