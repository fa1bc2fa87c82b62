using k8s;
using k8s.Models;

namespace DeploymentTests.CustomResources;

/// <summary>
/// KEDA's ScaledObject (keda.sh/v1alpha1), with the fields the manifests use, as KEDA 2.20's CRD
/// (config/crd/bases/keda.sh_scaledobjects.yaml) names them. Loaded strictly: a field not here fails the test, so a
/// new field is added here after checking it against the CRD, and a misspelt one is caught before a cluster sees it.
/// </summary>
public sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "keda.sh";
    public const string Version = "v1alpha1";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = nameof(ScaledObject);

    public V1ObjectMeta Metadata { get; set; } = new();

    public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();

    public int? PollingInterval { get; set; }

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public ScaledObjectAdvanced? Advanced { get; set; }

    public IList<ScaleTrigger> Triggers { get; init; } = [];
}

public sealed class ScaleTargetRef
{
    public string? ApiVersion { get; set; }

    /// <summary>Deployment when not given.</summary>
    public string? Kind { get; set; }

    public string Name { get; set; } = string.Empty;
}

public sealed class ScaledObjectAdvanced
{
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
}

public sealed class HorizontalPodAutoscalerConfig
{
    /// <summary>The autoscaling/v2 type itself: KEDA passes it to the HorizontalPodAutoscaler it creates.</summary>
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

public sealed class ScaleTrigger
{
    public string Type { get; set; } = string.Empty;

    /// <summary>
    /// The CRD types it as a map of strings; its keys are the kafka scaler's (pkg/scalers/kafka_scaler.go), so they
    /// are typed here too, and a misspelt key fails the test instead of being ignored by KEDA.
    /// </summary>
    public KafkaTriggerMetadata Metadata { get; set; } = new();
}

/// <summary>The kafka scaler's parameters that the manifests use; every value is a string to KEDA.</summary>
public sealed class KafkaTriggerMetadata
{
    /// <summary>The name of a variable of the scale target's container that holds the brokers.</summary>
    public string? BootstrapServersFromEnv { get; set; }

    public string? BootstrapServers { get; set; }

    public string? ConsumerGroup { get; set; }

    public string? Topic { get; set; }

    /// <summary>The lag one replica may have: replicas = ceil(total lag / lagThreshold).</summary>
    public string? LagThreshold { get; set; }

    /// <summary>latest (KEDA's default) or earliest: how a partition without a committed offset counts.</summary>
    public string? OffsetResetPolicy { get; set; }

    /// <summary>"true" lets KEDA scale past the partition count; false (the default) caps it there.</summary>
    public string? AllowIdleConsumers { get; set; }
}
