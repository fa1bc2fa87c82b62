using DeploymentTests.CustomResources;
using k8s.Models;
using YamlDotNet.Core;

namespace DeploymentTests;

/// <summary>The loader the other tests rely on is strict: what the API server would reject or drop fails here.</summary>
public sealed class ManifestLoaderTests
{
    [Fact]
    public void A_misspelt_field_of_a_built_in_kind_fails_to_load()
    {
        const string yaml = """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: consumer-worker
            spec:
              maxUnavailabe: 1
            """;

        AssertRejected(yaml, "maxUnavailabe");
    }

    [Fact]
    public void A_misspelt_field_of_a_custom_resource_fails_to_load()
    {
        const string yaml = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: consumer-worker
            spec:
              scaleTargetRef:
                name: consumer-worker
              maxReplicas: 6
            """;

        AssertRejected(yaml, "maxReplicas");
    }

    [Fact]
    public void A_misspelt_parameter_of_the_kafka_trigger_fails_to_load()
    {
        // The CRD would accept it (a map of strings) and KEDA would ignore it, scaling on a default instead.
        const string yaml = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: consumer-worker
            spec:
              scaleTargetRef:
                name: consumer-worker
              triggers:
                - type: kafka
                  metadata:
                    lagTreshold: "50000"
            """;

        AssertRejected(yaml, "lagTreshold");
    }

    [Fact]
    public void A_kind_without_a_typed_model_fails_to_load()
    {
        const string yaml = """
            apiVersion: kafka.strimzi.io/v1beta2
            kind: KafkaTopic
            metadata:
              name: user-activity-events
            spec:
              partitions: 6
            """;

        // v1beta2 is not served by Strimzi 1.x: a manifest still on it must not pass as if it were v1.
        Assert.ThrowsAny<Exception>(() => ManifestLoader.Load(yaml));
    }

    [Fact]
    public void Known_fields_load_into_their_models()
    {
        // The other side of strictness: without this, a loader that rejected everything would pass the tests above.
        const string yaml = """
            apiVersion: kafka.strimzi.io/v1
            kind: KafkaTopic
            metadata:
              name: user-activity-events
              labels:
                strimzi.io/cluster: user-activity
            spec:
              topicName: user-activity-events
              partitions: 6
              replicas: 3
              config:
                retention.ms: 604800000
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: consumer-worker
            spec:
              maxUnavailable: 1
            """;

        var objects = ManifestLoader.Load(yaml);

        var topic = Assert.IsType<KafkaTopic>(objects[0]);
        Assert.Equal(("user-activity-events", 6, "user-activity"), (topic.TopicName, topic.Spec.Partitions, topic.Metadata.Labels["strimzi.io/cluster"]));
        Assert.Equal("1", Assert.IsType<V1PodDisruptionBudget>(objects[1]).Spec.MaxUnavailable.Value);
    }

    private static void AssertRejected(string yaml, string field)
    {
        var error = Assert.ThrowsAny<YamlException>(() => ManifestLoader.Load(yaml));
        Assert.Contains(field, error.ToString(), StringComparison.Ordinal);
    }
}
