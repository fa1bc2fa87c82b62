using TestSupport;

namespace IntegrationTests;

/// <summary>The end-to-end scenarios, with the API and the worker in process on the mock cluster.</summary>
public sealed class EventFlowOnMockClusterTests(MockClusterFixture kafka) : EventFlowScenarios
{
    protected override async Task<IEventFlow> StartFlowAsync(string topic, string group)
    {
        kafka.Cluster.CreateTopic(topic, partitions: 3);
        kafka.Cluster.CreateTopic(InProcessEventFlow.DeadLetterTopicOf(topic), partitions: 1);
        return await InProcessEventFlow.StartAsync(kafka.BootstrapServers, topic, group);
    }
}
