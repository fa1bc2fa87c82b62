using DevBroker;

[assembly: AssemblyFixture(typeof(IntegrationTests.MockClusterFixture))]

namespace IntegrationTests;

/// <summary>One development broker for the whole assembly; each test makes a topic and a group of its own.</summary>
public sealed class MockClusterFixture : IDisposable
{
    public MockKafkaCluster Cluster { get; } = MockKafkaCluster.Start(brokerCount: 1);

    public string BootstrapServers => Cluster.BootstrapServers;

    public void Dispose() => Cluster.Dispose();
}
