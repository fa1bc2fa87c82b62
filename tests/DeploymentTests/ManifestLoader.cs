using DeploymentTests.CustomResources;
using k8s;
using k8s.Models;

namespace DeploymentTests;

/// <summary>
/// Loads rendered manifests into typed models: KubernetesClient's for the built-in kinds, ours (CustomResources/) for
/// KEDA's and Strimzi's. Strict: a field that the model does not have, a key given twice or a kind without a model
/// fails the load, where the API server would reject it or, worse, silently drop the field.
/// </summary>
internal static class ManifestLoader
{
    private static readonly Dictionary<string, Type> CustomResources = new(StringComparer.Ordinal)
    {
        [$"{ScaledObject.Group}/{ScaledObject.Version}/{nameof(ScaledObject)}"] = typeof(ScaledObject),
        [$"{Kafka.Group}/{Kafka.Version}/{nameof(Kafka)}"] = typeof(Kafka),
        [$"{Kafka.Group}/{Kafka.Version}/{nameof(KafkaNodePool)}"] = typeof(KafkaNodePool),
        [$"{Kafka.Group}/{Kafka.Version}/{nameof(KafkaTopic)}"] = typeof(KafkaTopic),
    };

    public static List<IKubernetesObject<V1ObjectMeta>> Load(string yaml)
    {
        // The string overload: in KubernetesClient 21 the stream and file overloads do not pass `strict` on.
        var objects = KubernetesYaml.LoadAllFromString(yaml, CustomResources, strict: true);
        return
        [
            .. objects.Select(o => o as IKubernetesObject<V1ObjectMeta>
                ?? throw new InvalidOperationException($"{o.GetType().Name} is not a Kubernetes object with metadata.")),
        ];
    }
}
