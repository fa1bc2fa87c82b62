using OpenTelemetry.Resources;

namespace Shared.Hosting.Telemetry;

/// <summary>
/// The OpenTelemetry resource a service reports on its traces, metrics and logs alike: its service.name, and a
/// service.instance.id that tells several instances apart.
/// </summary>
public static class ServiceResource
{
    public const string InstanceIdAttribute = "service.instance.id";

    /// <summary>
    /// service.instance.id from the standard variable OTEL_RESOURCE_ATTRIBUTES when it names one (DevStack and the
    /// AppHost give each worker its own; Kubernetes the pod's name), else the machine name, which is the container's
    /// host name under Compose and the pod's under Kubernetes, but the same for every process on one machine.
    /// </summary>
    /// <remarks>
    /// OpenTelemetry's resource builder merges its sources in order and the later wins, so AddService after the
    /// default environment detector would overwrite an id from OTEL_RESOURCE_ATTRIBUTES with whatever it is given:
    /// the id is read from the same detector first and handed to AddService.
    /// </remarks>
    public static string InstanceId() =>
        ResourceBuilder.CreateEmpty().AddEnvironmentVariableDetector().Build().Attributes
            .FirstOrDefault(attribute => attribute.Key == InstanceIdAttribute).Value as string is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Environment.MachineName;

    /// <summary>Adds service.name and service.instance.id; the other attributes of OTEL_RESOURCE_ATTRIBUTES stay as the default builder read them.</summary>
    public static ResourceBuilder AddServiceIdentity(this ResourceBuilder resource, string serviceName) =>
        resource.AddService(serviceName, serviceInstanceId: InstanceId());

    /// <summary>The whole resource as attributes, for an exporter that is not part of the OpenTelemetry SDK (Serilog's OTLP sink).</summary>
    public static Dictionary<string, object> Attributes(string serviceName) =>
        ResourceBuilder.CreateDefault().AddServiceIdentity(serviceName).Build().Attributes.ToDictionary(a => a.Key, a => a.Value);
}
