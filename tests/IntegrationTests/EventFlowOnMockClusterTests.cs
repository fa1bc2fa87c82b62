using TestSupport;

namespace IntegrationTests;

/// <summary>The end-to-end scenarios, with the API and the worker in process on the mock cluster.</summary>
public sealed class EventFlowOnMockClusterTests(MockClusterFixture kafka) : EventFlowScenarios
{
    protected override async Task<IEventFlow> StartFlowAsync(string topic, string group)
    {
        return await kafka.StartFlowAsync(topic, group: group);
    }
}
