using System.Buffers;
using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Shared.Contracts.Events;

namespace UnitTests.Worker;

public sealed class EventMessageHandlerTests
{
    private readonly ProcessedEventStore _store = new();
    private readonly EventMessageHandler _handler;

    public EventMessageHandlerTests()
    {
        _handler = new EventMessageHandler(_store, NullLogger<EventMessageHandler>.Instance);
    }

    internal static byte[] ValidEvent(Guid id, string payload = """{"page":"/home"}""")
    {
        var buffer = new ArrayBufferWriter<byte>();
        EventJsonWriter.Write(buffer, id, "user-7", EventType.ProductView, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Encoding.UTF8.GetBytes(payload));
        return buffer.WrittenSpan.ToArray();
    }

    internal static ConsumeResult<string?, byte[]?> Message(byte[]? value, long offset = 10, Headers? headers = null) => new()
    {
        Topic = "events",
        Partition = new Partition(2),
        Offset = new Offset(offset),
        Message = new Message<string?, byte[]?> { Key = "k", Value = value, Headers = headers ?? [] },
    };

    [Fact]
    public void A_valid_event_is_stored_with_its_fields_payload_and_position()
    {
        var id = Guid.NewGuid();

        var outcome = _handler.Handle(Message(ValidEvent(id)));

        Assert.Equal(HandleOutcome.Stored, outcome.Outcome);
        Assert.True(_store.TryGet(id, out var stored));
        Assert.Equal("user-7", stored!.UserId);
        Assert.Equal(EventType.ProductView, stored.EventType);
        Assert.Equal("""{"page":"/home"}""", Encoding.UTF8.GetString(stored.Payload()));
        Assert.Equal((2, 10L), (stored.Partition, stored.Offset));
    }

    [Fact]
    public void A_redelivered_event_is_a_duplicate_and_the_store_keeps_one()
    {
        var id = Guid.NewGuid();

        _handler.Handle(Message(ValidEvent(id), offset: 1));
        var second = _handler.Handle(Message(ValidEvent(id), offset: 2));

        Assert.Equal(HandleOutcome.Duplicate, second.Outcome);
        Assert.Equal(1, _store.Count);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"eventId\":\"")]
    [InlineData("[]")]
    [InlineData("{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":{}}")]
    [InlineData("{\"eventId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\",\"userId\":\"u\",\"eventType\":\"NOPE\",\"timestamp\":\"2026-01-01T00:00:00Z\"}")]
    public void A_malformed_message_is_skipped_without_throwing_and_stores_nothing(string value)
    {
        var outcome = _handler.Handle(Message(Encoding.UTF8.GetBytes(value)));

        Assert.Equal(HandleOutcome.Malformed, outcome.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Reason));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void A_message_whose_user_id_is_not_utf8_or_not_unicode_is_skipped_without_throwing()
    {
        byte[] notUtf8 = [.. """{"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u"""u8, 0xFF, .. "\",\"eventType\":\"LOGIN\",\"timestamp\":\"2026-01-01T00:00:00Z\"}"u8];
        var loneSurrogate = """{"eventId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":"u\ud800","eventType":"LOGIN","timestamp":"2026-01-01T00:00:00Z"}"""u8.ToArray();

        Assert.Equal(HandleOutcome.Malformed, _handler.Handle(Message(notUtf8)).Outcome);
        Assert.Equal(HandleOutcome.Malformed, _handler.Handle(Message(loneSurrogate)).Outcome);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void A_message_without_a_value_is_malformed()
    {
        Assert.Equal(HandleOutcome.Malformed, _handler.Handle(Message(null)).Outcome);
        Assert.Equal(HandleOutcome.Malformed, _handler.Handle(Message([])).Outcome);
    }

    [Fact]
    public void An_event_of_an_unknown_schema_version_is_skipped_and_version_1_is_accepted()
    {
        var v2 = new Headers { { EventHeaders.SchemaVersion, "2"u8.ToArray() } };
        var v1 = new Headers { { EventHeaders.SchemaVersion, "1"u8.ToArray() } };

        Assert.Equal(HandleOutcome.Malformed, _handler.Handle(Message(ValidEvent(Guid.NewGuid()), headers: v2)).Outcome);
        Assert.Equal(HandleOutcome.Stored, _handler.Handle(Message(ValidEvent(Guid.NewGuid()), headers: v1)).Outcome);
    }

    [Fact]
    public void An_event_below_the_committed_offset_is_rebuilt_into_the_store_not_processed_again()
    {
        var id = Guid.NewGuid();

        var outcome = _handler.Replay(Message(ValidEvent(id)));

        Assert.Equal(HandleOutcome.Rebuilt, outcome.Outcome);
        Assert.True(_store.TryGet(id, out _));
    }

    [Fact]
    public void A_store_is_asked_once_per_valid_message_and_never_for_a_malformed_one()
    {
        var store = new Mock<IProcessedEventStore>();
        store.Setup(s => s.TryAdd(It.IsAny<StoredEvent>())).Returns(true);
        var handler = new EventMessageHandler(store.Object, NullLogger<EventMessageHandler>.Instance);

        handler.Handle(Message("{oops"u8.ToArray()));
        handler.Handle(Message(ValidEvent(Guid.NewGuid())));

        store.Verify(s => s.TryAdd(It.IsAny<StoredEvent>()), Times.Once);
    }
}
