using k8s.Models;

namespace DeploymentTests;

/// <summary>A Deployment of an overlay, with its pod template and the containers in it.</summary>
internal sealed class Workload(V1Deployment deployment, RenderedOverlay overlay)
{
    public V1Deployment Deployment { get; } = deployment;

    public string Name => Deployment.Metadata.Name;

    public V1PodSpec Pod => Deployment.Spec.Template.Spec;

    public IDictionary<string, string> PodLabels => Deployment.Spec.Template.Metadata.Labels;

    public IEnumerable<V1Container> Containers => Pod.Containers.Concat(Pod.InitContainers ?? []);

    /// <summary>The container that runs <paramref name="service"/>: named after the service, as the manifests name it.</summary>
    public V1Container Container(ServiceKind service) =>
        Pod.Containers.SingleOrDefault(c => c.Name == service.Name)
        ?? throw new InvalidOperationException($"{overlay.Name}: Deployment {Name} has no container {service.Name}.");

    public ContainerEnvironment Environment(V1Container container) => ContainerEnvironment.Of(container, overlay, this);

    /// <summary>Whether <paramref name="selector"/> selects this workload's pods.</summary>
    public bool IsSelectedBy(IDictionary<string, string>? selector) =>
        selector is { Count: > 0 } && selector.All(s => PodLabels.TryGetValue(s.Key, out var value) && value == s.Value);

    /// <summary>A container port by number or by name, as a probe or a Service's targetPort gives it.</summary>
    public int? ResolvePort(IntOrString port, V1Container? container = null)
    {
        if (int.TryParse(port.Value, out var number))
        {
            return number;
        }

        return (container is null ? Containers : [container])
            .SelectMany(c => c.Ports ?? [])
            .SingleOrDefault(p => p.Name == port.Value)?.ContainerPort;
    }
}
