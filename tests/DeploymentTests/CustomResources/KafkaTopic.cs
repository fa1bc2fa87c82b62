using k8s;
using k8s.Models;

namespace DeploymentTests.CustomResources;

/// <summary>
/// Strimzi's KafkaTopic (kafka.strimzi.io/v1), with the fields the manifests use, as the CRD of Strimzi 1.2.0
/// (043-Crd-kafkatopic.yaml) names them. The topic operator creates the topic in the Kafka its strimzi.io/cluster label
/// names.
/// </summary>
public sealed class KafkaTopic : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = $"{Kafka.Group}/{Kafka.Version}";

    public string Kind { get; set; } = nameof(KafkaTopic);

    public V1ObjectMeta Metadata { get; set; } = new();

    public KafkaTopicSpec Spec { get; set; } = new();

    /// <summary>spec.topicName, or the resource's name when it has none (as the topic operator does).</summary>
    public string TopicName => Spec.TopicName ?? Metadata.Name;
}
