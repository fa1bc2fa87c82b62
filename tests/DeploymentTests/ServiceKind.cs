using System.Reflection;
using Consumer.Worker.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using TestSupport;

namespace DeploymentTests;

/// <summary>
/// One of the two services, as its own code registers it: its name (the container's and the Deployment's), the
/// variables it reads, and the port where it answers plain HTTP/1.1 (the kubelet's probes, Prometheus).
/// </summary>
/// <param name="Name">The service's own name (service.name of its telemetry).</param>
/// <param name="Assembly">Its assembly: the variables bound there are read by this service only.</param>
/// <param name="Compose">Its composition root (its Program.Build): the registrations and the endpoints.</param>
/// <param name="HttpPort">The port of /health/live, /health/ready and /metrics, from its options.</param>
/// <param name="GrpcPort">The port of its gRPC service (HTTP/2 only), if it has one.</param>
internal sealed record ServiceKind(
    string Name,
    Assembly Assembly,
    Func<WebApplicationBuilder, WebApplication> Compose,
    Func<IServiceProvider, int> HttpPort,
    Func<IServiceProvider, int?> GrpcPort)
{
    public static ServiceKind Api { get; } = new(
        Producer.Api.Program.ServiceName,
        ServiceVariables.Api,
        Producer.Api.Program.Build,
        static services => services.GetRequiredService<IOptions<ProducerApiOptions>>().Value.Port,
        static _ => null);

    public static ServiceKind Worker { get; } = new(
        Consumer.Worker.Program.ServiceName,
        ServiceVariables.Worker,
        Consumer.Worker.Program.Build,
        // The gRPC port speaks HTTP/2 alone (h2c), which the kubelet's HTTP probes do not: health is on this one.
        static services => services.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort,
        static services => services.GetRequiredService<IOptions<WorkerOptions>>().Value.GrpcPort);

    public static IReadOnlyList<ServiceKind> All { get; } = [Api, Worker];

    /// <summary>Every variable this service reads: its own, Shared.Hosting's and the OpenTelemetry SDK's.</summary>
    public IReadOnlySet<string> ReadVariables => ServiceVariables.ReadBy(Assembly);

    /// <summary>The variables this service's own code binds (its settings): a container must be given each.</summary>
    public IReadOnlySet<string> Settings =>
        ServiceVariables.DeclaredIn(Assembly).Concat(ServiceVariables.DeclaredIn(ServiceVariables.Shared))
            .Select(v => v.Name)
            .ToHashSet(StringComparer.Ordinal);

    public static ServiceKind? Named(string name) => All.SingleOrDefault(s => s.Name == name);

    /// <summary>
    /// The service built as its Program.cs builds it, from exactly <paramref name="environment"/> and nothing of this
    /// process's, and its start-up validation run, but not started: nothing listens and nothing connects to Kafka.
    /// A setting the service would refuse at start-up throws here, naming the variable.
    /// </summary>
    public BuiltService Build(IReadOnlyDictionary<string, string> environment)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)));
        var app = Compose(builder);
        app.Services.GetService<IStartupValidator>()?.Validate();
        return new BuiltService(app, this);
    }
}
