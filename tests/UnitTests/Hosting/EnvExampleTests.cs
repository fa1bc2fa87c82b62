using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using TestSupport;

namespace UnitTests.Hosting;

/// <summary>
/// .env.example is where a person learns what can be set, and docker-compose.yml is how a setting reaches a
/// container. These tests keep both in step with the code. The variables are found by reflection, not listed here
/// (TestSupport's ServiceVariables, which the Kubernetes manifests' tests use too), so a variable added later is held
/// to the same rules without touching this file.
/// </summary>
public sealed partial class EnvExampleTests
{
    private const string ComposeFile = "docker-compose.yml";

    // The Compose services that run each assembly's code, and so must be given the variables it reads.
    private static readonly (Assembly Assembly, string[] Services)[] Readers =
    [
        (ServiceVariables.Api, ["producer-api"]),
        (ServiceVariables.Worker, ["consumer-worker"]),
        (ServiceVariables.Shared, ["producer-api", "consumer-worker"]),
    ];

    [Fact]
    public void Reflection_finds_the_variables_of_all_three_assemblies()
    {
        // Without this, a discovery that finds nothing would let every other test here pass.
        var names = CodeVariables().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("API_PORT", names);
        Assert.Contains("WORKER_GRPC_PORT", names);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", names);
    }

    [Fact]
    public void Each_variable_is_bound_by_one_options_property_only()
    {
        // Two options classes that bind one variable can disagree on its default and on what they accept.
        AssertNone(CodeVariables()
            .GroupBy(v => v.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} is bound by {string.Join(" and ", g.Select(v => v.Owner))}"));
    }

    [Fact]
    public void Env_example_holds_only_comments_blank_lines_and_unique_NAME_value_lines()
    {
        var lines = EnvExampleFile.Lines();
        var malformed = lines
            .Select((line, index) => (line, number: index + 1))
            .Where(l => l.line.Length > 0 && !l.line.StartsWith('#') && !EnvExampleFile.IsEntry(l.line))
            .Select(l => $"line {l.number} is neither a comment nor NAME=value: {l.line}");
        var duplicated = EnvExampleFile.Entries()
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} is set {g.Count()} times");

        AssertNone(malformed.Concat(duplicated));
    }

    [Fact]
    public void A_variable_read_by_the_code_is_documented_in_env_example()
    {
        var documented = EnvExampleFile.Entries().Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

        AssertNone(CodeVariables()
            .Where(v => !documented.Contains(v.Name))
            .Select(v => $"{v.Name}, read by {v.Owner}, is missing from {EnvExampleFile.Name}"));
    }

    [Fact]
    public void Every_variable_in_env_example_is_explained_by_a_comment_above_it()
    {
        AssertNone(EnvExampleFile.Entries()
            .Where(e => !e.HasComment)
            .Select(e => $"{e.Name} has no comment line directly above it in {EnvExampleFile.Name}"));
    }

    [Fact]
    public void Each_default_in_env_example_is_the_default_of_the_code()
    {
        var documented = EnvExampleFile.Entries().DistinctBy(e => e.Name).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var stale = new List<string>();
        foreach (var variable in CodeVariables())
        {
            if (!documented.TryGetValue(variable.Name, out var text))
            {
                continue; // A_variable_read_by_the_code_is_documented_in_env_example reports it.
            }

            var codeDefault = variable.Property.GetValue(Activator.CreateInstance(variable.Property.DeclaringType!, nonPublic: true));
            if (!TryConvert(text, variable.Property.PropertyType, out var documentedDefault))
            {
                stale.Add($"{variable.Name}: '{text}' in {EnvExampleFile.Name} is not a valid {variable.Property.PropertyType.Name}");
            }
            else if (!Equals(codeDefault, documentedDefault))
            {
                stale.Add($"{variable.Name}: {EnvExampleFile.Name} says '{text}', but {variable.Owner} defaults to '{Invariant(codeDefault)}'");
            }
        }

        AssertNone(stale);
    }

    [Fact]
    public void Every_variable_in_env_example_is_read_by_the_code_or_by_docker_compose()
    {
        // The code: ours, or the OpenTelemetry SDK's (a standard OTEL_* variable such as OTEL_RESOURCE_ATTRIBUTES).
        var used = CodeVariables().Select(v => v.Name)
            .Concat(ServiceVariables.ReadByOpenTelemetry())
            .Concat(ComposeSubstitutions().Select(s => s.Name))
            .ToHashSet(StringComparer.Ordinal);

        AssertNone(EnvExampleFile.Entries()
            .Where(e => !used.Contains(e.Name))
            .Select(e => $"{e.Name} is in {EnvExampleFile.Name} but neither the code nor a docker-compose file reads it"));
    }

    [Fact]
    public void Docker_compose_passes_each_variable_to_every_service_that_reads_it()
    {
        // Without this, a setting in .env would be documented and yet never reach the container that reads it.
        var services = ComposeServices(File.ReadAllLines(RepositoryFiles.PathOf(ComposeFile)));
        var missing = new List<string>();
        foreach (var variable in CodeVariables())
        {
            foreach (var service in variable.Services)
            {
                if (!services.TryGetValue(service, out var block))
                {
                    missing.Add($"{ComposeFile} has no service {service}");
                }
                else if (!Regex.IsMatch(block, $@"^\s+{Regex.Escape(variable.Name)}:", RegexOptions.Multiline))
                {
                    missing.Add($"{service} in {ComposeFile} is not given {variable.Name}, which {variable.Owner} reads");
                }
            }
        }

        AssertNone(missing.Distinct(StringComparer.Ordinal));
    }

    [Fact]
    public void Docker_compose_falls_back_to_the_defaults_of_env_example()
    {
        // So that `docker compose up` without a .env behaves as with a copy of .env.example.
        var documented = EnvExampleFile.Entries().DistinctBy(e => e.Name).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var use in ComposeSubstitutions())
        {
            if (use.Default is null)
            {
                problems.Add($"{use.File}: {use.Text} has no default; write ${{{use.Name}:-default}}");
            }
            else if (!documented.TryGetValue(use.Name, out var value))
            {
                problems.Add($"{use.File}: {use.Name} is not documented in {EnvExampleFile.Name}");
            }
            else if (!string.Equals(use.Default, value, StringComparison.Ordinal))
            {
                problems.Add($"{use.File}: {use.Text} falls back to '{use.Default}', but {EnvExampleFile.Name} says '{value}'");
            }
        }

        AssertNone(problems.Distinct(StringComparer.Ordinal));
    }

    private sealed record CodeVariable(string Name, PropertyInfo Property, string[] Services)
    {
        public string Owner => $"{Property.DeclaringType!.FullName}.{Property.Name}";
    }

    private sealed record Substitution(string File, string Text, string Name, string? Default);

    /// <summary>Every property bound from a variable, with the Compose services that run its assembly.</summary>
    private static List<CodeVariable> CodeVariables() =>
    [
        .. Readers.SelectMany(reader => ServiceVariables.DeclaredIn(reader.Assembly)
            .Select(variable => new CodeVariable(variable.Name, variable.Property, reader.Services))),
    ];

    /// <summary>The ${...} uses in every docker-compose*.yml, outside comments; $$ is Compose's escape for a literal $.</summary>
    private static List<Substitution> ComposeSubstitutions()
    {
        var uses = new List<Substitution>();
        foreach (var path in Directory.GetFiles(RepositoryFiles.RootFolder, "docker-compose*.yml").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            foreach (var line in File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith('#')))
            {
                foreach (Match match in ComposeVariable().Matches(line))
                {
                    var name = match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value;
                    // Only ":-" and "-" give a default; ":?" and "?" make the variable required.
                    var hasDefault = match.Groups["op"].Value is ":-" or "-";
                    uses.Add(new Substitution(file, match.Value, name, hasDefault ? match.Groups["default"].Value : null));
                }
            }
        }

        return uses;
    }

    /// <summary>docker-compose.yml's text per service (outside comments): enough to see which keys a service sets.</summary>
    private static Dictionary<string, string> ComposeServices(string[] lines)
    {
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        var inServices = false;
        string? current = null;
        foreach (var line in lines.Where(l => !l.TrimStart().StartsWith('#')))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inServices = line.TrimEnd() == "services:";
                current = null;
                continue;
            }

            var service = ServiceLine().Match(line);
            if (inServices && service.Success)
            {
                current = service.Groups["name"].Value;
                services[current] = string.Empty;
            }
            else if (current is not null)
            {
                services[current] += line + "\n";
            }
        }

        return services;
    }

    private static bool TryConvert(string text, Type type, out object? value)
    {
        // The configuration binder converts with the type's TypeConverter and the invariant culture; so does this.
        try
        {
            value = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            value = null;
            return false;
        }
    }

    private static string? Invariant(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture);

    private static void AssertNone(IEnumerable<string> problems) => Problems.AssertNone(problems);

    [GeneratedRegex(@"^  (?<name>[A-Za-z0-9._-]+):\s*$")]
    private static partial Regex ServiceLine();

    [GeneratedRegex(@"(?<!\$)\$(?:\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<default>[^}]*))?\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex ComposeVariable();
}
