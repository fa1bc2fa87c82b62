namespace Launcher;

/// <summary>
/// One service as a child process: what runs, with which configuration (its whole environment, as Compose gives
/// it), and where it says that it is ready.
/// </summary>
/// <param name="Name">Shown before each line of its output and in every report about it.</param>
/// <param name="Assembly">The built assembly that <c>dotnet</c> runs.</param>
/// <param name="Arguments">Its command line.</param>
/// <param name="Environment">Its configuration.</param>
/// <param name="ReadyUrl">Answers 200 once the service is ready (its /health/ready).</param>
public sealed record ServiceSpec(
    string Name,
    string Assembly,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    Uri ReadyUrl)
{
    /// <summary>The same service with <paramref name="settings"/> set on top of its environment.</summary>
    public ServiceSpec With(IReadOnlyDictionary<string, string>? settings)
    {
        if (settings is null || settings.Count == 0)
        {
            return this;
        }

        var environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return this with { Environment = environment };
    }
}
