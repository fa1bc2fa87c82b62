using k8s.Models;

namespace DeploymentTests;

/// <summary>One of the two services as an overlay deploys it: its Deployment, its container and that container's environment.</summary>
internal sealed class DeployedService(ServiceKind kind, Workload workload)
{
    public ServiceKind Kind { get; } = kind;

    public Workload Workload { get; } = workload;

    public V1Container Container { get; } = workload.Container(kind);

    public ContainerEnvironment Environment => field ??= Workload.Environment(Container);

    /// <summary>The service built from exactly this container's environment (<see cref="ServiceKind.Build"/>).</summary>
    public BuiltService Build() => Kind.Build(Environment.Values);
}
