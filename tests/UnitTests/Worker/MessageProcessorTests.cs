using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Consuming;
using Consumer.Worker.Options;
using Consumer.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Shared.Hosting;

namespace UnitTests.Worker;

public sealed class MessageProcessorTests
{
    private readonly Mock<IProcessedEventStore> _store = new();
    private readonly Mock<IDeadLetterPublisher> _deadLetters = new();
    private readonly WorkerMetrics _metrics = new(new ServiceCollection().AddMetrics().BuildServiceProvider()
        .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private MessageProcessor CreateProcessor(int attempts = 3) => new(
        new EventMessageHandler(_store.Object, NullLogger<EventMessageHandler>.Instance),
        _deadLetters.Object,
        _metrics,
        Microsoft.Extensions.Options.Options.Create(new KafkaOptions()),
        Microsoft.Extensions.Options.Options.Create(new WorkerOptions { ProcessingMaxAttempts = attempts }),
        NullLogger<MessageProcessor>.Instance);

    private static ConsumeResult<string?, byte[]?> Valid() => EventMessageHandlerTests.Message(EventMessageHandlerTests.ValidEvent(Guid.NewGuid()));

    [Fact]
    public void A_malformed_message_is_dead_lettered_at_once_with_its_reason()
    {
        var message = EventMessageHandlerTests.Message(Encoding.UTF8.GetBytes("{broken"));

        var result = CreateProcessor().Process(message, CancellationToken.None);

        Assert.Equal(HandleOutcome.Malformed, result.Outcome);
        _deadLetters.Verify(d => d.Publish(message, It.Is<string>(r => r.Contains("JSON", StringComparison.Ordinal)), It.IsAny<CancellationToken>()), Times.Once);
        _store.Verify(s => s.TryAdd(It.IsAny<StoredEvent>()), Times.Never);
        Assert.Equal(1, _metrics.Total(HandleOutcome.Malformed));
    }

    [Fact]
    public void A_transient_failure_is_retried_and_the_event_is_stored_without_a_dead_letter()
    {
        _store.SetupSequence(s => s.TryAdd(It.IsAny<StoredEvent>()))
            .Throws(new InvalidOperationException("transient"))
            .Throws(new InvalidOperationException("transient"))
            .Returns(true);

        var result = CreateProcessor(attempts: 3).Process(Valid(), CancellationToken.None);

        Assert.Equal(HandleOutcome.Stored, result.Outcome);
        _store.Verify(s => s.TryAdd(It.IsAny<StoredEvent>()), Times.Exactly(3));
        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public void A_message_that_fails_on_every_attempt_is_dead_lettered_after_the_bounded_retries()
    {
        _store.Setup(s => s.TryAdd(It.IsAny<StoredEvent>())).Throws(new InvalidOperationException("store unavailable"));
        var message = Valid();

        var result = CreateProcessor(attempts: 3).Process(message, CancellationToken.None);

        Assert.Equal(HandleOutcome.Failed, result.Outcome);
        _store.Verify(s => s.TryAdd(It.IsAny<StoredEvent>()), Times.Exactly(3));
        _deadLetters.Verify(d => d.Publish(message, It.Is<string>(r => r.Contains("store unavailable", StringComparison.Ordinal)), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public void A_malformed_message_met_again_while_rebuilding_is_not_dead_lettered_twice()
    {
        var result = CreateProcessor().Replay(EventMessageHandlerTests.Message("nope"u8.ToArray()), CancellationToken.None);

        Assert.Equal(HandleOutcome.Malformed, result.Outcome);
        _deadLetters.VerifyNoOtherCalls();
        Assert.Equal(0, _metrics.Total(HandleOutcome.Malformed));
    }

    [Fact]
    public void When_the_dead_letter_cannot_be_written_the_processor_does_not_return_as_if_it_were()
    {
        _deadLetters.Setup(d => d.Publish(It.IsAny<ConsumeResult<string?, byte[]?>>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Throws(new OperationCanceledException("stopping"));

        Assert.Throws<OperationCanceledException>(() =>
            CreateProcessor().Process(EventMessageHandlerTests.Message("nope"u8.ToArray()), CancellationToken.None));
    }
}
