using k8s.Models;
using TestSupport;

namespace DeploymentTests;

/// <summary>The containers run as in Compose's images: not root, no privilege to gain, nothing written to the image.</summary>
public sealed class SecurityTests
{
    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_container_runs_as_root_gains_privileges_or_writes_to_its_image(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var problems = new List<string>();
        foreach (var workload in rendered.Workloads)
        {
            var pod = workload.Pod.SecurityContext;
            foreach (var container in workload.Containers)
            {
                var own = container.SecurityContext;
                var where = $"{overlay}: {workload.Name}/{container.Name}";
                // The container's setting wins over the pod's, as in the kubelet.
                if ((own?.RunAsNonRoot ?? pod?.RunAsNonRoot) != true)
                {
                    problems.Add($"{where} does not require runAsNonRoot");
                }

                if ((own?.RunAsUser ?? pod?.RunAsUser) is null or 0)
                {
                    problems.Add($"{where} has no non-zero runAsUser (the image's user 1654, by number)");
                }

                if (own?.AllowPrivilegeEscalation != false || own.Privileged == true)
                {
                    problems.Add($"{where} may gain privileges (allowPrivilegeEscalation must be false)");
                }

                if (own?.Capabilities?.Drop?.Contains("ALL") != true || own.Capabilities.Add is { Count: > 0 })
                {
                    problems.Add($"{where} keeps Linux capabilities (drop ALL, add none)");
                }

                if (own?.ReadOnlyRootFilesystem != true)
                {
                    problems.Add($"{where} can write to its image (readOnlyRootFilesystem)");
                }
                else if (!WritableTmp(workload, container))
                {
                    problems.Add($"{where} has a read-only root file system but no emptyDir at /tmp for .NET's diagnostics socket");
                }
            }

            if ((pod?.SeccompProfile?.Type ?? "Unconfined") == "Unconfined")
            {
                problems.Add($"{overlay}: {workload.Name} runs without the runtime's seccomp profile");
            }

            if (workload.Pod.AutomountServiceAccountToken != false)
            {
                problems.Add($"{overlay}: {workload.Name} mounts a service account token it never uses");
            }

            if (workload.Pod.EnableServiceLinks != false)
            {
                problems.Add($"{overlay}: {workload.Name} gets a variable per Service in the namespace (enableServiceLinks), beside its settings");
            }
        }

        Problems.AssertNone(problems);
    }

    private static bool WritableTmp(Workload workload, V1Container container) =>
        (container.VolumeMounts ?? []).Any(m => m.MountPath == "/tmp" && m.ReadOnlyProperty != true
            && workload.Pod.Volumes?.SingleOrDefault(v => v.Name == m.Name)?.EmptyDir is not null);
}
