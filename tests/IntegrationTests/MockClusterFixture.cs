using DevBroker;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

[assembly: AssemblyFixture(typeof(IntegrationTests.MockClusterFixture))]

namespace IntegrationTests;

/// <summary>One development broker for the whole assembly; each test makes a topic and a group of its own.</summary>
public sealed class MockClusterFixture : IDisposable
{
    public MockKafkaCluster Cluster { get; } = MockKafkaCluster.Start(brokerCount: 1);

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>
    /// Creates a topic of its own (and its dead-letter topic) and starts the API and the workers on it, in a consumer
    /// group of its own, so tests sharing the broker never see each other's events.
    /// </summary>
    public async Task<InProcessEventFlow> StartFlowAsync(
        string name,
        int partitions = 3,
        int workers = 1,
        int spareWorkers = 0,
        Action<IServiceCollection>? services = null,
        string? group = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        Cluster.CreateTopic(name, partitions);
        Cluster.CreateTopic(InProcessEventFlow.DeadLetterTopicOf(name), partitions: 1);
        return await InProcessEventFlow.StartAsync(
            BootstrapServers, name, group ?? $"group-{name}", settings, workers: workers, spareWorkers: spareWorkers, services: services);
    }

    public void Dispose() => Cluster.Dispose();
}
