using System.Globalization;
using System.Text.RegularExpressions;
using DeploymentTests.CustomResources;
using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>The workers scale on their group's lag and never past the partitions; every Deployment has one autoscaler.</summary>
public sealed partial class ScalingTests
{
    private const string KubernetesDoc = "docs/kubernetes.md";

    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_deployment_has_one_autoscaler_and_no_replica_count_that_would_fight_it(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var targets = rendered.All<V2HorizontalPodAutoscaler>().Select(h => (h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name))
            .Concat(rendered.All<ScaledObject>().Select(s => (s.Spec.ScaleTargetRef.Kind ?? "Deployment", s.Spec.ScaleTargetRef.Name)))
            .ToList();

        Problems.AssertNone(rendered.Workloads.SelectMany(workload =>
        {
            var count = targets.Count(t => t == ("Deployment", workload.Name));
            var problems = new List<string>();
            if (count != 1)
            {
                problems.Add($"{overlay}: Deployment {workload.Name} has {count} autoscalers, not one");
            }

            if (workload.Deployment.Spec.Replicas is not null)
            {
                problems.Add($"{overlay}: Deployment {workload.Name} sets replicas, which every kubectl apply would reset under its autoscaler");
            }

            return problems;
        }));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Keda_scales_the_workers_on_the_lag_of_their_own_group_and_topic(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var environment = rendered.Service(ServiceKind.Worker).Environment.Values;
        var scaler = Assert.Single(rendered.All<ScaledObject>(), s => s.Spec.ScaleTargetRef.Name == ServiceKind.Worker.Name);
        var trigger = Assert.Single(scaler.Spec.Triggers).Metadata;

        Assert.Equal("kafka", Assert.Single(scaler.Spec.Triggers).Type);
        Assert.Equal(environment["KAFKA_CONSUMER_GROUP"], trigger.ConsumerGroup);
        Assert.Equal(environment["KAFKA_TOPIC"], trigger.Topic);
        // KEDA resolves xxxFromEnv against the scale target's container: the worker's own bootstrap servers.
        var brokers = trigger.BootstrapServersFromEnv is { } variable ? environment.GetValueOrDefault(variable) : trigger.BootstrapServers;
        Assert.Equal(environment["KAFKA_BOOTSTRAP_SERVERS"], brokers);
        Assert.True(long.TryParse(trigger.LagThreshold, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) && threshold > 0,
            $"lagThreshold '{trigger.LagThreshold}' must be a positive whole number");
        Assert.Contains(trigger.OffsetResetPolicy ?? "latest", (string[])["latest", "earliest"]);
        // KEDA caps the replicas at the partition count unless allowIdleConsumers is true.
        Assert.NotEqual("true", trigger.AllowIdleConsumers);
        // Queries are answered from the workers' memory: zero workers would leave every partition without an owner.
        Assert.InRange(scaler.Spec.MinReplicaCount ?? 0, 1, scaler.Spec.MaxReplicaCount ?? 100);
    }

    [Fact]
    public void Keda_never_scales_the_workers_past_the_partitions_of_their_topic()
    {
        var rendered = RenderedOverlay.Get(KafkaResourceTests.Strimzi);
        var scaler = Assert.Single(rendered.All<ScaledObject>());

        // Each partition has one owner in the group: a worker beyond the partition count would own nothing.
        Assert.InRange(scaler.Spec.MaxReplicaCount ?? 100, 1, EventsTopicPartitions(rendered));
    }

    [Fact]
    public void The_autoscalers_shown_in_the_docs_load_and_stay_within_the_partitions()
    {
        // docs/kubernetes.md shows HorizontalPodAutoscalers for clusters without KEDA; they are held to the same rules.
        var doc = File.ReadAllText(RepositoryFiles.PathOf(KubernetesDoc));
        var shown = YamlBlock().Matches(doc)
            .Select(m => m.Groups["yaml"].Value)
            .Where(yaml => yaml.StartsWith("apiVersion:", StringComparison.Ordinal))
            .SelectMany(ManifestLoader.Load)
            .ToList();
        var partitions = EventsTopicPartitions(RenderedOverlay.Get(KafkaResourceTests.Strimzi));

        var workerScalers = shown.OfType<V2HorizontalPodAutoscaler>().Where(h => h.Spec.ScaleTargetRef.Name == ServiceKind.Worker.Name).ToList();
        Assert.NotEmpty(workerScalers);
        Problems.AssertNone(workerScalers
            .Where(h => h.Spec.MaxReplicas > partitions || h.Spec.MinReplicas is null or < 1)
            .Select(h => $"{KubernetesDoc}: HorizontalPodAutoscaler {h.Metadata.Name} scales the workers to {h.Spec.MinReplicas}..{h.Spec.MaxReplicas}, beyond 1..{partitions}"));
    }

    private static int EventsTopicPartitions(RenderedOverlay rendered)
    {
        var topic = rendered.Service(ServiceKind.Worker).Environment["KAFKA_TOPIC"];
        var declared = Assert.Single(rendered.All<KafkaTopic>(), t => t.TopicName == topic);
        return declared.Spec.Partitions ?? throw new InvalidOperationException($"KafkaTopic {declared.Metadata.Name} leaves its partitions to the broker's default.");
    }

    [GeneratedRegex("```yaml\\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
