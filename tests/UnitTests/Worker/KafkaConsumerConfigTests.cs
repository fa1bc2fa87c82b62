using Confluent.Kafka;
using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using Shared.Hosting;

namespace UnitTests.Worker;

/// <summary>The consumer's configuration, built in one place: the settings at-least-once and the rebuild rest on.</summary>
public sealed class KafkaConsumerConfigTests
{
    private readonly ConsumerConfig _config = KafkaConsumerRegistration.CreateConfig(
        new KafkaOptions { BootstrapServers = "broker:9092", ConsumerGroup = "group-a" },
        new WorkerOptions { SessionTimeoutMs = 6000, FetchWaitMaxMs = 7 });

    [Fact]
    public void Offsets_are_stored_by_the_worker_after_the_store_and_committed_by_auto_commit()
    {
        Assert.False(_config.EnableAutoOffsetStore);
        Assert.True(_config.EnableAutoCommit);
        Assert.Equal(AutoOffsetReset.Earliest, _config.AutoOffsetReset);
    }

    [Fact]
    public void The_group_the_session_and_the_cooperative_assignor_come_from_the_options()
    {
        Assert.Equal("broker:9092", _config.BootstrapServers);
        Assert.Equal("group-a", _config.GroupId);
        Assert.Equal(6000, _config.SessionTimeoutMs);
        Assert.Equal(2000, _config.HeartbeatIntervalMs);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, _config.PartitionAssignmentStrategy);
    }

    [Fact]
    public void The_fetch_wait_comes_from_the_options_and_defaults_to_twenty_milliseconds()
    {
        Assert.Equal(7, _config.FetchWaitMaxMs);
        Assert.Equal(20, new WorkerOptions().FetchWaitMaxMs);
    }
}
