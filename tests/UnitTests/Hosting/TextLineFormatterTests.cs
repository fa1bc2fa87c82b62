using System.Diagnostics;
using Serilog.Events;
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

    private static DateTimeOffset At => new(2026, 12, 2, 12, 30, 45, 678, TimeSpan.Zero);

    private static LogEventProperty User(string id) => new("UserId", new ScalarValue(id));

    private static string Format(LogEvent logEvent)
    {
        using var output = new StringWriter();
        new TextLineFormatter().Format(logEvent, output);
        return output.ToString();
    }
}
