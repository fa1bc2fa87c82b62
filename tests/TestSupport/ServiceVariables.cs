using System.Reflection;
using System.Text.RegularExpressions;
using Consumer.Worker.Options;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Resources;
using Producer.Api.Options;
using Shared.Hosting;

namespace TestSupport;

/// <summary>
/// The environment variables the services read, found where the code declares them rather than listed in a test, so
/// a variable added later is held to the same rules: every property bound from a variable ([ConfigurationKeyName]) in
/// the services' assemblies, and the standard OTEL_* variables that the OpenTelemetry SDK reads by itself.
/// .env.example (UnitTests' EnvExampleTests) and the Kubernetes manifests (DeploymentTests) are checked against it.
/// </summary>
public static partial class ServiceVariables
{
    /// <summary>Producer.Api: read by the API only.</summary>
    public static Assembly Api { get; } = typeof(ProducerApiOptions).Assembly;

    /// <summary>Consumer.Worker: read by the worker only.</summary>
    public static Assembly Worker { get; } = typeof(WorkerOptions).Assembly;

    /// <summary>Shared.Hosting: read by both services.</summary>
    public static Assembly Shared { get; } = typeof(KafkaOptions).Assembly;

    private static readonly Lazy<IReadOnlySet<string>> OpenTelemetryVariables = new(FindOpenTelemetryVariables);

    /// <summary>Every property bound from a variable, as the configuration binder sees them: instance, any access.</summary>
    public static List<ServiceVariable> DeclaredIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return
        [
            .. assembly.GetTypes()
                .SelectMany(type => type.GetProperties(
                    BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                .Select(property => (property, key: property.GetCustomAttribute<ConfigurationKeyNameAttribute>()))
                .Where(found => found.key is not null)
                .Select(found => new ServiceVariable(found.key!.Name, found.property)),
        ];
    }

    /// <summary>
    /// The variables a service reads: those its own assembly and Shared.Hosting bind, and the OpenTelemetry SDK's.
    /// </summary>
    public static IReadOnlySet<string> ReadBy(Assembly service) =>
        DeclaredIn(service).Concat(DeclaredIn(Shared)).Select(v => v.Name)
            .Concat(ReadByOpenTelemetry())
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The OTEL_* names the OpenTelemetry SDK that both services run declares as constants (OTEL_RESOURCE_ATTRIBUTES,
    /// OTEL_SERVICE_NAME, the exporter's OTEL_EXPORTER_OTLP_*...): it reads them from the configuration itself.
    /// Taken from the SDK's own assemblies, so a misspelt name is not among them.
    /// </summary>
    public static IReadOnlySet<string> ReadByOpenTelemetry() => OpenTelemetryVariables.Value;

    private static HashSet<string> FindOpenTelemetryVariables()
    {
        var sdk = new[] { typeof(ResourceBuilder).Assembly, typeof(OpenTelemetry.Exporter.OtlpExporterOptions).Assembly };
        return sdk
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .Where(value => VariableName().IsMatch(value))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A whole variable name (not a prefix such as OTEL_DOTNET_AUTO_, nor a file name).</summary>
    [GeneratedRegex("^OTEL_[A-Z0-9_]*[A-Z0-9]$")]
    private static partial Regex VariableName();
}
