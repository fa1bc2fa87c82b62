using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>
/// Updates and node drains move one pod at a time and let a stopping service finish: a worker closes its consumer
/// (commit, leave the group) before the kubelet's SIGKILL, and queries stay complete or answer 503 for one rebuild.
/// </summary>
public sealed class RolloutTests
{
    /// <summary>Beyond the shutdown timeout and the preStop hook: for the runtime to exit and a slow broker.</summary>
    private const int RoomSeconds = 5;

    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void A_stopping_pod_gets_its_preStop_hook_and_shutdown_timeout_with_room_before_it_is_killed(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        Problems.AssertNone(ServiceKind.All.SelectMany(service =>
        {
            var deployed = rendered.Service(service);
            var shutdownSeconds = int.Parse(deployed.Environment["SHUTDOWN_TIMEOUT_MS"], System.Globalization.CultureInfo.InvariantCulture) / 1000.0;
            var preStopSeconds = deployed.Container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
            var grace = deployed.Workload.Pod.TerminationGracePeriodSeconds ?? 30;
            return grace >= preStopSeconds + shutdownSeconds + RoomSeconds
                ? []
                : new[] { $"{overlay}: {service.Name} is killed {grace} s after SIGTERM, but needs {preStopSeconds} s (preStop) + {shutdownSeconds} s (SHUTDOWN_TIMEOUT_MS) + {RoomSeconds} s" };
        }));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Rollouts_and_drains_replace_one_pod_at_a_time_and_never_run_below_the_count(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var budgets = rendered.All<V1PodDisruptionBudget>().ToList();
        Problems.AssertNone(rendered.Workloads.SelectMany(workload =>
        {
            var problems = new List<string>();
            var update = workload.Deployment.Spec.Strategy?.RollingUpdate;
            // A new pod first (surge one), an old one only after it is ready (none unavailable): for the workers, one
            // rebalance at a time, each as short as one rebuild.
            if (workload.Deployment.Spec.Strategy?.Type != "RollingUpdate" || update?.MaxSurge?.Value != "1" || update.MaxUnavailable?.Value != "0")
            {
                problems.Add($"{overlay}: {workload.Name} must roll with maxSurge 1 and maxUnavailable 0");
            }

            var budget = budgets.Where(b => workload.IsSelectedBy(b.Spec.Selector?.MatchLabels)).ToList();
            // One at a time, but never none: a budget that allows no eviction would block every node drain.
            if (budget is not [{ Spec: { MaxUnavailable.Value: "1", MinAvailable: null } }])
            {
                problems.Add($"{overlay}: {workload.Name} needs one PodDisruptionBudget with maxUnavailable 1 (it has {budget.Count})");
            }

            return problems;
        }));
    }
}
