using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>An overlay of deploy/kubernetes/overlays as `kubectl kustomize` renders it, every object in its typed model.</summary>
internal sealed class RenderedOverlay
{
    public const string OverlaysFolder = "deploy/kubernetes/overlays";

    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> Rendered = new(StringComparer.Ordinal);

    private RenderedOverlay(string name, List<IKubernetesObject<V1ObjectMeta>> objects)
    {
        Name = name;
        Objects = objects;
    }

    /// <summary>Every overlay there is, by folder, so that an overlay added later is checked too.</summary>
    public static TheoryData<string> Names =>
    [
        .. Directory.GetDirectories(RepositoryFiles.PathOf(OverlaysFolder))
            .Select(folder => Path.GetFileName(folder))
            .Order(StringComparer.Ordinal),
    ];

    public string Name { get; }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public IEnumerable<Workload> Workloads => Objects.OfType<V1Deployment>().Select(d => new Workload(d, this));

    /// <summary>Rendered once per test run and shared by every test that asks (the objects are only read).</summary>
    public static RenderedOverlay Get(string name)
    {
        Kubectl.Require();
        return Rendered.GetOrAdd(name, static n => new Lazy<RenderedOverlay>(() => Render(n))).Value;
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new InvalidOperationException($"Overlay {Name} has no {typeof(T).Name} named {name}.");

    public DeployedService Service(ServiceKind kind) => new(kind, Workload(kind.Name));

    public Workload Workload(string name) =>
        Workloads.SingleOrDefault(w => w.Name == name)
        ?? throw new InvalidOperationException($"Overlay {Name} has no Deployment named {name}.");

    private static RenderedOverlay Render(string name)
    {
        var yaml = Kubectl.Kustomize(RepositoryFiles.PathOf(Path.Combine(OverlaysFolder, name)));
        return new RenderedOverlay(name, ManifestLoader.Load(yaml));
    }
}
