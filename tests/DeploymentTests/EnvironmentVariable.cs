namespace DeploymentTests;

/// <param name="Name">The variable.</param>
/// <param name="Value">Its value in the container.</param>
/// <param name="Source">Where it is defined, for messages.</param>
/// <param name="FromPod">From the downward API: a fact about the pod, not a setting.</param>
/// <param name="References">The variables its value expands ($(NAME)).</param>
internal sealed record EnvironmentVariable(string Name, string Value, string Source, bool FromPod, IReadOnlyList<string> References);
