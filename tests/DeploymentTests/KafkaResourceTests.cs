using DeploymentTests.CustomResources;
using k8s;
using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>The Strimzi overlay's Kafka is the one the services are pointed at, with the topics they use.</summary>
public sealed class KafkaResourceTests
{
    public const string Strimzi = "strimzi";

    private const string ClusterLabel = "strimzi.io/cluster";

    /// <summary>Each topic's variable, and the variable of .env.example that gives its retention in Compose.</summary>
    private static readonly (string Topic, string Retention)[] TopicsWithTheirRetention =
        [("KAFKA_TOPIC", "KAFKA_TOPIC_RETENTION_MS"), ("KAFKA_DLQ_TOPIC", "KAFKA_DLQ_RETENTION_MS")];

    [Fact]
    public void The_services_bootstrap_from_the_plaintext_listener_of_the_strimzi_cluster()
    {
        var rendered = RenderedOverlay.Get(Strimzi);
        var kafka = Assert.Single(rendered.All<Kafka>());
        var brokers = rendered.Service(ServiceKind.Worker).Environment["KAFKA_BOOTSTRAP_SERVERS"];

        // The services connect without TLS or SASL: only such a listener, inside the cluster, can serve them.
        var listener = Assert.Single(kafka.Spec.Kafka.Listeners, l => brokers == $"{kafka.BootstrapServiceName}:{l.Port}");
        Assert.False(listener.Tls, $"listener {listener.Name} uses TLS, which the services do not speak");
        Assert.Equal("internal", listener.Type);
    }

    [Fact]
    public void The_strimzi_cluster_is_kraft_with_its_node_pools_and_a_topic_operator()
    {
        var rendered = RenderedOverlay.Get(Strimzi);
        var kafka = Assert.Single(rendered.All<Kafka>());
        var pools = rendered.All<KafkaNodePool>().ToList();

        Problems.AssertNone(pools
            .Where(p => ClusterOf(p) != kafka.Metadata.Name)
            .Select(p => $"KafkaNodePool {p.Metadata.Name} does not belong to Kafka {kafka.Metadata.Name} ({ClusterLabel})"));
        // KRaft: controllers and brokers, with no ZooKeeper.
        Assert.Contains(pools, p => p.Spec.Roles.Contains("controller"));
        Assert.Contains(pools, p => p.Spec.Roles.Contains("broker"));
        // Without the topic operator the KafkaTopic resources would create nothing.
        Assert.NotNull(kafka.Spec.EntityOperator?.TopicOperator);
    }

    [Fact]
    public void The_strimzi_cluster_has_the_topics_the_services_use_with_their_retention()
    {
        var rendered = RenderedOverlay.Get(Strimzi);
        var kafka = Assert.Single(rendered.All<Kafka>());
        var brokers = rendered.All<KafkaNodePool>().Where(p => p.Spec.Roles.Contains("broker")).Sum(p => p.Spec.Replicas);
        var environment = rendered.Service(ServiceKind.Worker).Environment.Values;
        var topics = rendered.All<KafkaTopic>().ToList();

        var problems = new List<string>();
        foreach (var (variable, retention) in TopicsWithTheirRetention)
        {
            var topic = topics.SingleOrDefault(t => t.TopicName == environment[variable]);
            if (topic is null)
            {
                problems.Add($"no KafkaTopic creates {environment[variable]} ({variable}), and the cluster does not create topics by itself");
                continue;
            }

            if (ClusterOf(topic) != kafka.Metadata.Name)
            {
                problems.Add($"KafkaTopic {topic.Metadata.Name} is not for Kafka {kafka.Metadata.Name} ({ClusterLabel})");
            }

            if (topic.Spec.Replicas is not { } replicas || replicas > brokers)
            {
                problems.Add($"KafkaTopic {topic.Metadata.Name} wants {topic.Spec.Replicas} replicas on {brokers} brokers");
            }

            // The retention Compose gives the same topic (.env.example), so both deployments keep the same window.
            var documented = EnvExampleFile.Entries().Single(e => e.Name == retention).Value;
            if (Config(topic, "retention.ms") != documented || Config(topic, "cleanup.policy") != "delete")
            {
                problems.Add($"KafkaTopic {topic.Metadata.Name} keeps retention.ms={Config(topic, "retention.ms")}, cleanup.policy={Config(topic, "cleanup.policy")}, not {retention}={documented} and delete");
            }
        }

        Problems.AssertNone(problems);
    }

    /// <summary>The Kafka cluster a Strimzi resource belongs to, by its label.</summary>
    private static string? ClusterOf(IKubernetesObject<V1ObjectMeta> resource) =>
        resource.Metadata.Labels is { } labels && labels.TryGetValue(ClusterLabel, out var cluster) ? cluster : null;

    private static string? Config(KafkaTopic topic, string key) =>
        topic.Spec.Config.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
