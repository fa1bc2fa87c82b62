using System.Diagnostics;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;
using Shared.Hosting.Logging;

namespace UnitTests.Hosting;

public sealed class TextLineFormatterTests
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("Processed event for user {UserId}");

    [Fact]
    public void A_line_written_inside_a_span_ends_with_its_trace_and_span_ids()
    {
        var trace = ActivityTraceId.CreateRandom();
        var span = ActivitySpanId.CreateRandom();

        var line = Format(new LogEvent(At, LogEventLevel.Information, null, Template, [User("u-1")], trace, span));

        Assert.Equal($"[12:30:45.678 INF] Processed event for user \"u-1\" trace={trace.ToHexString()} span={span.ToHexString()}{Environment.NewLine}", line);
    }

    [Fact]
    public void A_line_written_outside_any_span_ends_with_the_message()
    {
        var line = Format(new LogEvent(At, LogEventLevel.Warning, null, Template, [User("u-1")]));

        Assert.Equal($"[12:30:45.678 WRN] Processed event for user \"u-1\"{Environment.NewLine}", line);
    }

    [Fact]
    public void A_newline_in_a_property_cannot_start_a_second_line()
    {
        var line = Format(new LogEvent(At, LogEventLevel.Information, null, Template, [User("u-1\n[12:30:45.678 ERR] forged")]));

        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("u-1\\n[12:30:45.678 ERR] forged", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_follows_its_line()
    {
        var exception = new InvalidOperationException("the broker went away");

        var line = Format(new LogEvent(At, LogEventLevel.Error, exception, Template, [User("u-1")]));

        Assert.StartsWith($"[12:30:45.678 ERR] Processed event for user \"u-1\"{Environment.NewLine}System.InvalidOperationException: the broker went away", line, StringComparison.Ordinal);
    }

    public static TheoryData<LogEventPropertyValue> Values => new()
    {
        new ScalarValue("u-1"),
        new ScalarValue("quote \" backslash \\ tab \t newline \n bell \u0007 é"),
        new ScalarValue(-42),
        new ScalarValue(long.MaxValue),
        new ScalarValue(Guid.Parse("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")),
        new ScalarValue(1.5),
        new ScalarValue(true),
        new ScalarValue(null),
        new ScalarValue(new DateTimeOffset(2026, 12, 2, 3, 4, 5, TimeSpan.FromHours(1))),
        new ScalarValue(LogEventLevel.Warning),
        new SequenceValue([new ScalarValue(1), new ScalarValue("two")]),
        new StructureValue([new LogEventProperty("Id", new ScalarValue(7))], "Order"),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_property_renders_as_Serilogs_own_json_rendering_would(LogEventPropertyValue value)
    {
        var logEvent = new LogEvent(At, LogEventLevel.Information, null, Parse("{Topic} [{Partition}]: {Value} at @{Offset}"), [
            new LogEventProperty("Topic", new ScalarValue("user-activity-events")),
            new LogEventProperty("Partition", new ScalarValue(3)),
            new LogEventProperty("Value", value),
            new LogEventProperty("Offset", new ScalarValue(12345L)),
        ]);

        Assert.Equal(SerilogsLine(logEvent), Format(logEvent));
    }

    [Theory]
    [InlineData("{Value:0.00} with a format")]
    [InlineData("{Value,8} with an alignment")]
    [InlineData("{Missing} names a property the event does not have")]
    [InlineData("{@Value} destructured, {$Value} stringified")]
    [InlineData("{{escaped}} braces and {Value}")]
    [InlineData("no properties at all")]
    public void A_message_of_any_shape_renders_as_Serilogs_own_template_would(string template)
    {
        var logEvent = new LogEvent(At, LogEventLevel.Debug, null, Parse(template), [new LogEventProperty("Value", new ScalarValue(2.5))]);

        Assert.Equal(SerilogsLine(logEvent), Format(logEvent));
    }

    [Theory]
    [InlineData(LogEventLevel.Verbose, "VRB")]
    [InlineData(LogEventLevel.Debug, "DBG")]
    [InlineData(LogEventLevel.Information, "INF")]
    [InlineData(LogEventLevel.Warning, "WRN")]
    [InlineData(LogEventLevel.Error, "ERR")]
    [InlineData(LogEventLevel.Fatal, "FTL")]
    public void The_level_and_a_time_with_an_offset_read_as_in_Serilogs_template(LogEventLevel level, string moniker)
    {
        var at = new DateTimeOffset(2026, 12, 2, 23, 59, 59, 7, TimeSpan.FromHours(-5));
        var logEvent = new LogEvent(at, level, null, Template, [User("u-1")]);

        Assert.StartsWith($"[23:59:59.007 {moniker}] ", Format(logEvent), StringComparison.Ordinal);
        Assert.Equal(SerilogsLine(logEvent), Format(logEvent));
    }

    private static DateTimeOffset At => new(2026, 12, 2, 12, 30, 45, 678, TimeSpan.Zero);

    private static LogEventProperty User(string id) => new("UserId", new ScalarValue(id));

    private static MessageTemplate Parse(string template) => new MessageTemplateParser().Parse(template);

    /// <summary>The line as Serilog's own output template renders it, outside any span and without an exception.</summary>
    private static string SerilogsLine(LogEvent logEvent)
    {
        using var output = new StringWriter();
        new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:j}{NewLine}").Format(logEvent, output);
        return output.ToString();
    }

    private static string Format(LogEvent logEvent)
    {
        using var output = new StringWriter();
        new TextLineFormatter().Format(logEvent, output);
        return output.ToString();
    }
}
