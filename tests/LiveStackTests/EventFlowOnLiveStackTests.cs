using TestSupport;

namespace LiveStackTests;

/// <summary>The end-to-end scenarios against a running stack on real Kafka; skipped where none is configured.</summary>
public sealed class EventFlowOnLiveStackTests : EventFlowScenarios
{
    protected override async Task<IEventFlow> StartFlowAsync(string topic, string group)
    {
        var flow = LiveStackFlow.FromEnvironment(out var reason);
        if (flow is null)
        {
            Assert.Skip(reason);
        }

        await Eventually.UntilAsync(flow.Api.IsReadyAsync, "the live stack to report ready", TimeSpan.FromSeconds(60));
        return flow;
    }
}
