using TestSupport;

namespace DeploymentTests;

/// <summary>
/// The settings reach each container as the services read them: every one, documented, none stray, none given twice,
/// and each accepted by the service's own start-up validation.
/// </summary>
public sealed class ConfigurationTests
{
    /// <summary>Where Kafka is, and which topic and group: the two services must agree on each.</summary>
    private static readonly string[] SharedKafkaSettings = ["KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_CONSUMER_GROUP"];

    public static TheoryData<string> Overlays => RenderedOverlay.Names;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_runs_one_of_the_two_services_and_each_service_runs(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var containers = rendered.Workloads.SelectMany(w => w.Containers.Select(c => (w, c))).ToList();

        Problems.AssertNone(containers
            .Where(x => ServiceKind.Named(x.c.Name) is null || x.w.Name != x.c.Name)
            .Select(x => $"{overlay}: container {x.c.Name} of {x.w.Name} is neither service (or its Deployment is named otherwise)"));
        Assert.Equal(
            ServiceKind.All.Select(s => s.Name).Order(StringComparer.Ordinal),
            containers.Select(x => x.c.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_container_is_given_every_setting_its_service_reads_once_and_nothing_it_does_not_read(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var problems = new List<string>();
        foreach (var service in ServiceKind.All)
        {
            var given = rendered.Service(service).Environment.Definitions;
            var read = service.ReadVariables;

            problems.AddRange(service.Settings
                .Where(setting => given.All(d => d.Name != setting))
                .Order(StringComparer.Ordinal)
                .Select(setting => $"{overlay}: {service.Name} reads {setting}, but its container is not given it"));
            problems.AddRange(given
                .GroupBy(d => d.Name, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => $"{overlay}: {service.Name} is given {g.Key} twice ({string.Join(", ", g.Select(d => d.Source))}); one place per setting"));
            // A variable the service does not read is allowed for one purpose only: a fact of the pod from the downward
            // API that another variable expands, as POD_NAME in OTEL_RESOURCE_ATTRIBUTES=service.instance.id=$(POD_NAME).
            problems.AddRange(given
                .Where(d => !read.Contains(d.Name))
                .Where(d => !(d.FromPod && given.Any(other => read.Contains(other.Name) && other.References.Contains(d.Name))))
                .Select(d => $"{overlay}: {service.Name} is given {d.Name} ({d.Source}), which it does not read"));
        }

        Problems.AssertNone(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_setting_a_container_is_given_is_documented_in_env_example(string overlay)
    {
        var documented = EnvExampleFile.Entries().Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var rendered = RenderedOverlay.Get(overlay);

        Problems.AssertNone(ServiceKind.All
            .SelectMany(service => rendered.Service(service).Environment.Definitions
                .Where(d => !d.FromPod && !documented.Contains(d.Name))
                .Select(d => $"{overlay}: {service.Name} is given {d.Name} ({d.Source}), which {EnvExampleFile.Name} does not document")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_service_accepts_its_settings_at_start_up(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var service in ServiceKind.All)
        {
            // Throws OptionsValidationException naming the variable, as the service would at start-up.
            await using var built = rendered.Service(service).Build();

            Assert.True(built.HttpPort > 0);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Both_services_use_the_same_kafka_topic_and_consumer_group(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var apiEnvironment = rendered.Service(ServiceKind.Api).Environment;
        var workerEnvironment = rendered.Service(ServiceKind.Worker).Environment;

        Problems.AssertNone(SharedKafkaSettings
            .Where(name => apiEnvironment[name] != workerEnvironment[name])
            .Select(name => $"{overlay}: the API has {name}={apiEnvironment[name]}, the worker {name}={workerEnvironment[name]}"));
    }
}
