using TestSupport;

namespace RealKafkaTests;

/// <summary>The same end-to-end scenarios as on the mock cluster, on real Apache Kafka in a container.</summary>
public sealed class EventFlowOnRealKafkaTests(KafkaContainerFixture kafka) : EventFlowScenarios
{
    protected override async Task<IEventFlow> StartFlowAsync(string topic, string group)
    {
        var bootstrap = kafka.BootstrapServers;
        if (bootstrap is null)
        {
            Assert.Skip(kafka.UnavailableReason ?? "The Kafka container did not start.");
        }

        await KafkaTestClient.CreateTopicAsync(bootstrap, topic, partitions: 3);
        await KafkaTestClient.CreateTopicAsync(bootstrap, InProcessEventFlow.DeadLetterTopicOf(topic), partitions: 1);
        return await InProcessEventFlow.StartAsync(bootstrap, topic, group);
    }
}
