using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace UnitTests.Worker;

public sealed class KafkaDeadLetterPublisherTests
{
    private readonly Mock<IProducer<string?, byte[]?>> _producer = new();
    private readonly List<(string Topic, Message<string?, byte[]?> Message)> _written = [];

    private KafkaDeadLetterPublisher CreatePublisher() => new(
        _producer.Object,
        Microsoft.Extensions.Options.Options.Create(new WorkerOptions { DeadLetterTopic = "events.dlq" }),
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)),
        NullLogger<KafkaDeadLetterPublisher>.Instance);

    private static string Header(Message<string?, byte[]?> message, string key) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(key));

    [Fact]
    public void The_dead_letter_keeps_key_value_and_headers_and_says_where_it_came_from_and_why()
    {
        _producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string?, byte[]?>>(), It.IsAny<CancellationToken>()))
            .Callback((string topic, Message<string?, byte[]?> message, CancellationToken _) => _written.Add((topic, message)))
            .ReturnsAsync(new DeliveryResult<string?, byte[]?> { Offset = new Offset(5) });
        var original = EventMessageHandlerTests.Message("garbage"u8.ToArray(), offset: 77, headers: new Headers { { "trace", "t1"u8.ToArray() } });

        CreatePublisher().Publish(original, "not JSON", CancellationToken.None);

        var (topic, written) = Assert.Single(_written);
        Assert.Equal("events.dlq", topic);
        Assert.Equal("k", written.Key);
        Assert.Equal("garbage"u8.ToArray(), written.Value);
        Assert.Equal("t1", Header(written, "trace"));
        Assert.Equal("events", Header(written, DeadLetterHeaders.OriginalTopic));
        Assert.Equal("2", Header(written, DeadLetterHeaders.OriginalPartition));
        Assert.Equal("77", Header(written, DeadLetterHeaders.OriginalOffset));
        Assert.Equal("not JSON", Header(written, DeadLetterHeaders.Reason));
        Assert.StartsWith("2026-11-25T12:00:00", Header(written, DeadLetterHeaders.FailedAt), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_dead_letter_write_is_retried_until_kafka_acknowledges_it()
    {
        _producer.SetupSequence(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string?, byte[]?>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ProduceException<string?, byte[]?>(new Error(ErrorCode.Local_MsgTimedOut), new DeliveryResult<string?, byte[]?>()))
            .ThrowsAsync(new ProduceException<string?, byte[]?>(new Error(ErrorCode.Local_AllBrokersDown), new DeliveryResult<string?, byte[]?>()))
            .ReturnsAsync(new DeliveryResult<string?, byte[]?> { Offset = new Offset(1) });

        CreatePublisher().Publish(EventMessageHandlerTests.Message("x"u8.ToArray()), "bad", CancellationToken.None);

        _producer.Verify(p => p.ProduceAsync("events.dlq", It.IsAny<Message<string?, byte[]?>>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
    }
}
