using k8s.Models;

namespace DeploymentTests.CustomResources;

public sealed class HorizontalPodAutoscalerConfig
{
    /// <summary>The autoscaling/v2 type itself: KEDA passes it to the HorizontalPodAutoscaler it creates.</summary>
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}
