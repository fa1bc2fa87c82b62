using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>The kubelet's probes ask what the services serve, where they serve it, and mean what they should.</summary>
public sealed class ProbeTests
{
    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_probe_asks_a_health_endpoint_the_service_serves_on_its_http_port(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var problems = new List<string>();
        foreach (var service in ServiceKind.All)
        {
            var deployed = rendered.Service(service);
            await using var built = deployed.Build();
            foreach (var (kind, probe) in Probes(deployed.Container))
            {
                if (probe.HttpGet is not { } get)
                {
                    problems.Add($"{overlay}: {service.Name}'s {kind} probe is not an HTTP GET of a health endpoint");
                    continue;
                }

                var port = deployed.Workload.ResolvePort(get.Port, deployed.Container);
                if (port != built.HttpPort)
                {
                    problems.Add($"{overlay}: {service.Name}'s {kind} probe asks port {get.Port.Value} ({port}), but the service answers HTTP/1.1 on {built.HttpPort}");
                }

                if (built.GetEndpointAt(get.Path) is not ("Live" or "Ready"))
                {
                    problems.Add($"{overlay}: {service.Name}'s {kind} probe asks {get.Path}, which is not one of its health endpoints");
                }
            }
        }

        Problems.AssertNone(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_worker_is_ready_when_it_has_rebuilt_its_partitions_and_live_while_it_answers(string overlay)
    {
        var (readiness, liveness) = await ProbedEndpointsAsync(RenderedOverlay.Get(overlay).Service(ServiceKind.Worker));

        // Ready (ConsumerHealthCheck): joined the group and rebuilt every owned partition. This is what takes a
        // rebuilding worker out of the headless Service and what a rollout waits for.
        Assert.Equal("Ready", readiness);
        // Never readiness as liveness: a rebuild of a long log is work, and a restart would start it again.
        Assert.Equal("Live", liveness);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_api_stays_in_its_service_while_the_workers_or_kafka_are_away(string overlay)
    {
        // The API's /health/ready checks Kafka and the workers' coverage, the same for every replica: as readiness it
        // would empty the Service during every rebalance. Its liveness endpoint is its readiness (docs/kubernetes.md).
        Assert.Equal(("Live", "Live"), await ProbedEndpointsAsync(RenderedOverlay.Get(overlay).Service(ServiceKind.Api)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_container_declares_the_ports_its_service_listens_on(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var problems = new List<string>();
        foreach (var service in ServiceKind.All)
        {
            var deployed = rendered.Service(service);
            await using var built = deployed.Build();
            var listening = new[] { built.HttpPort, built.GrpcPort }.OfType<int>().Order().ToList();
            var declared = (deployed.Container.Ports ?? []).Select(p => p.ContainerPort).Order().ToList();
            if (!listening.SequenceEqual(declared))
            {
                problems.Add($"{overlay}: {service.Name} listens on [{string.Join(", ", listening)}], its container declares [{string.Join(", ", declared)}]");
            }
        }

        Problems.AssertNone(problems);
    }

    /// <summary>The names of the endpoints that the service's readiness and liveness probes ask (Live, Ready...).</summary>
    private static async Task<(string? Readiness, string? Liveness)> ProbedEndpointsAsync(DeployedService deployed)
    {
        await using var built = deployed.Build();
        return (built.GetEndpointAt(deployed.Container.ReadinessProbe?.HttpGet?.Path ?? string.Empty),
            built.GetEndpointAt(deployed.Container.LivenessProbe?.HttpGet?.Path ?? string.Empty));
    }

    private static IEnumerable<(string Kind, V1Probe Probe)> Probes(V1Container container) =>
        new[] { ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe), ("startup", container.StartupProbe) }
            .Where(p => p.Item2 is not null)
            .Select(p => (p.Item1, p.Item2!));
}
