using k8s.Models;
using Producer.Api.Options;
using TestSupport;

namespace DeploymentTests;

/// <summary>The Services reach the pods they are meant for, and the API finds every ready worker.</summary>
public sealed class ServiceTests
{
    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_selects_the_pods_of_one_deployment_and_ports_they_listen_on(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var problems = new List<string>();
        foreach (var service in rendered.All<V1Service>())
        {
            var selected = rendered.Workloads.Where(w => w.IsSelectedBy(service.Spec.Selector)).ToList();
            if (selected.Count != 1)
            {
                problems.Add($"{overlay}: Service {service.Metadata.Name} selects {selected.Count} Deployments ({string.Join(", ", selected.Select(w => w.Name))}), not one");
                continue;
            }

            problems.AddRange(service.Spec.Ports
                .Where(port => selected[0].ResolvePort(port.TargetPort ?? port.Port) is null)
                .Select(port => $"{overlay}: Service {service.Metadata.Name} targets port {port.TargetPort?.Value}, which {selected[0].Name} does not declare"));
        }

        Problems.AssertNone(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_api_resolves_a_headless_service_of_the_ready_workers_on_their_grpc_port(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var api = rendered.Service(ServiceKind.Api);
        var worker = rendered.Service(ServiceKind.Worker);
        var url = api.Environment["WORKER_GRPC_URL"];
        await using var built = worker.Build();

        // The API's own parser: dns:///name:port, looked up again every few seconds.
        Assert.True(WorkerAddresses.TryParse(url, out var addresses, out var error), $"WORKER_GRPC_URL={url} {error}");
        Assert.True(addresses.IsDns, $"WORKER_GRPC_URL={url} must be dns:///<headless service>:<port> to reach every replica");
        var service = rendered.Single<V1Service>(addresses.DnsHost!.Split('.')[0]);

        // Headless: the name resolves to each pod's address, not to one virtual IP that would hide all but one.
        Assert.Equal("None", service.Spec.ClusterIP);
        // Ready pods only: a worker still rebuilding is not asked.
        Assert.NotEqual(true, service.Spec.PublishNotReadyAddresses);
        Assert.True(worker.Workload.IsSelectedBy(service.Spec.Selector), $"Service {service.Metadata.Name} does not select the workers");
        Assert.False(api.Workload.IsSelectedBy(service.Spec.Selector), $"Service {service.Metadata.Name} selects the API too");
        // A headless name gives pod addresses: the port in the URL is the pod's own gRPC port.
        Assert.Equal(built.GrpcPort, addresses.DnsPort);
        var port = Assert.Single(service.Spec.Ports, p => p.Port == addresses.DnsPort);
        Assert.Equal(built.GrpcPort, worker.Workload.ResolvePort(port.TargetPort, worker.Container));
    }
}
