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
