using System.Text.RegularExpressions;
using k8s.Models;

namespace DeploymentTests;

/// <summary>
/// The environment a container starts with, resolved as the kubelet does it: envFrom's ConfigMaps first, then env,
/// whose $(NAME) references expand to variables defined before them. Values from the downward API get a sample.
/// </summary>
internal sealed partial class ContainerEnvironment
{
    private readonly List<EnvironmentVariable> _definitions = [];

    private ContainerEnvironment()
    {
    }

    /// <summary>Every definition, in order; a name given twice appears twice (the later wins in the kubelet).</summary>
    public IReadOnlyList<EnvironmentVariable> Definitions => _definitions;

    /// <summary>The value each variable ends up with.</summary>
    public IReadOnlyDictionary<string, string> Values =>
        _definitions.GroupBy(d => d.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    public string this[string name] =>
        Values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"The container is not given {name}.");

    public static ContainerEnvironment Of(V1Container container, RenderedOverlay overlay, Workload workload)
    {
        var environment = new ContainerEnvironment();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.SecretRef is not null)
            {
                throw new InvalidOperationException(
                    $"{overlay.Name}: {container.Name} takes variables from Secret {source.SecretRef.Name}; teach this test to read Secrets.");
            }

            var configMap = overlay.Single<V1ConfigMap>(source.ConfigMapRef.Name);
            foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
            {
                environment.Add(new EnvironmentVariable((source.Prefix ?? string.Empty) + key, value, $"ConfigMap {configMap.Metadata.Name}", false, []));
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment.Add(variable.ValueFrom switch
            {
                null => environment.Expand(variable),
                { FieldRef: { } field } => new EnvironmentVariable(
                    variable.Name, Sample(field.FieldPath, workload), $"the downward API ({field.FieldPath})", true, []),
                { ConfigMapKeyRef: { } key } => new EnvironmentVariable(
                    variable.Name, overlay.Single<V1ConfigMap>(key.Name).Data[key.Key], $"ConfigMap {key.Name}", false, []),
                _ => throw new InvalidOperationException($"{overlay.Name}: {container.Name}'s {variable.Name} comes from a source this test does not read."),
            });
        }

        return environment;
    }

    private void Add(EnvironmentVariable variable) => _definitions.Add(variable);

    /// <summary>$(NAME) becomes NAME's value when NAME is defined before; $$ is a literal $.</summary>
    private EnvironmentVariable Expand(V1EnvVar variable)
    {
        var values = Values;
        var references = new List<string>();
        var value = Reference().Replace(variable.Value ?? string.Empty, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            var name = match.Groups["name"].Value;
            if (!values.TryGetValue(name, out var referenced))
            {
                return match.Value; // The kubelet leaves an unknown reference as it is.
            }

            references.Add(name);
            return referenced;
        });
        return new EnvironmentVariable(variable.Name, value, "env", false, references);
    }

    private static string Sample(string fieldPath, Workload workload) => fieldPath switch
    {
        "metadata.name" => $"{workload.Name}-5d8f7c9b4-x2x7q",
        "metadata.namespace" => workload.Deployment.Metadata.NamespaceProperty ?? "default",
        _ => $"<{fieldPath}>",
    };

    [GeneratedRegex(@"\$\$|\$\((?<name>[A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}
