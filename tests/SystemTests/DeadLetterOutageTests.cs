using Shared.Contracts.Events;
using TestSupport;

namespace SystemTests;

/// <summary>
/// A message that cannot be processed goes to the dead-letter topic before its offset moves on. While that topic
/// cannot be written, the worker must wait and retry (the events after it wait too), never skip the message; once
/// the topic takes writes again, the message is dead-lettered once and the events after it are processed.
/// </summary>
public sealed class DeadLetterOutageTests
{
    private const string Topic = "dlq-outage";
    private const string DeadLetterTopic = Topic + ".dlq";

    /// <summary>LEADER_NOT_AVAILABLE for the dead-letter topic alone: its producer finds no leader to write to.</summary>
    private const int LeaderNotAvailable = 5;

    [Fact]
    public async Task While_the_dead_letter_topic_cannot_be_written_the_partition_waits_and_the_message_is_dead_lettered_once_it_can()
    {
        await using var stack = await ProcessDeployment.StartAsync(Topic, new Dictionary<string, string> { ["LOG_FORMAT"] = "text" });
        var before = await stack.Api.PostAsync("u-before", "LOGIN");
        await stack.Api.WaitUntilProcessedAsync([before.EventId]);

        stack.Broker.SetTopicError(DeadLetterTopic, LeaderNotAvailable);
        // A malformed message, then a valid event behind it on the same partition.
        var malformedKey = Guid.NewGuid();
        var partition = EventPartitioner.PartitionOf(malformedKey, 3);
        var malformedOffset = KafkaTestClient.Watermarks(stack.Broker.BootstrapServers, Topic, partition).High.Value;
        await KafkaTestClient.ProduceRawAsync(stack.Broker.BootstrapServers, Topic, malformedKey.ToString(), "{not json"u8.ToArray());
        var behindId = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).First(id => EventPartitioner.PartitionOf(id, 3) == partition);
        var behind = await stack.Api.PostAsync("u-behind", "PRODUCT_VIEW", eventId: behindId);

        // Two failed attempts: the worker has waited out one and is retrying, not skipping.
        await Eventually.UntilAsync(
            () => Task.FromResult(stack.Output.Contains("Dead-letter write failed (attempt 2)", StringComparison.Ordinal)),
            "the worker to retry the dead letter",
            TimeSpan.FromSeconds(60));
        Assert.Null(await stack.Api.FindAsync(behind.EventId));
        var committed = KafkaTestClient.CommittedOffset(stack.Broker.BootstrapServers, "user-activity-consumer-group", Topic, partition);
        Assert.True(committed.IsSpecial || committed.Value <= malformedOffset, $"the worker committed {committed} past the malformed message at {malformedOffset}");

        stack.Broker.SetTopicError(DeadLetterTopic, 0);
        await stack.Api.WaitUntilProcessedAsync([behind.EventId], TimeSpan.FromSeconds(60));

        var deadLetters = KafkaTestClient.ConsumeFromStart(stack.Broker.BootstrapServers, DeadLetterTopic, 2, TimeSpan.FromSeconds(5));
        var deadLetter = Assert.Single(deadLetters);
        Assert.Equal(malformedKey.ToString(), deadLetter.Message.Key);
        Assert.True(deadLetter.Message.Headers.TryGetLastBytes("dlq-reason", out _), "the dead letter carries its reason");
        var listed = await stack.Api.ListAsync();
        Assert.Equal(new[] { before.EventId, behind.EventId }.Order(), listed.Select(e => e.EventId).Order());
        Assert.False(stack.Worker.Exited.IsCompleted, "the worker exited");
    }
}
