using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shared.Hosting.Kafka;

namespace UnitTests.Hosting;

public sealed class KafkaLogForwarderTests
{
    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    [Fact]
    public void Repeats_of_one_message_within_the_window_are_suppressed_and_then_counted()
    {
        var logger = new RecordingLogger();
        var time = new FakeTimeProvider();
        var forwarder = new KafkaLogForwarder(logger, time, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 50; i++)
        {
            forwarder.OnError(new Error(ErrorCode.Local_Transport, $"127.0.0.1:9092/1: Connect failed (after {i}ms in state CONNECT)"));
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        forwarder.OnError(new Error(ErrorCode.Local_Transport, "127.0.0.1:9092/1: Connect failed (after 1ms in state CONNECT)"));

        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("49 similar lines suppressed", logger.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Different_messages_are_each_logged()
    {
        var logger = new RecordingLogger();
        var forwarder = new KafkaLogForwarder(logger, new FakeTimeProvider(), TimeSpan.FromSeconds(10));

        forwarder.OnError(new Error(ErrorCode.Local_Transport, "broker down"));
        forwarder.OnError(new Error(ErrorCode.Local_AllBrokersDown, "all brokers down"));

        Assert.Equal(2, logger.Lines.Count);
    }
}
