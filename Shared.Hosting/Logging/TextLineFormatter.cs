using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Shared.Hosting.Logging;

/// <summary>
/// The text format's line: "[12:00:00.000 INF] message", then " trace=... span=..." when it was written inside a span
/// (nothing outside one, so a line outside any request does not end in empty ids), then the exception if any. Message
/// properties are rendered JSON-escaped (":j"), so a newline in a client's userId cannot forge a second line.
/// </summary>
/// <remarks>
/// The ids are written here rather than added to every event as a property by an enricher: the extra property outgrew
/// each event's property dictionary, a third of what the worker's line per event allocated (BENCHMARKS.md).
/// <para>
/// The worker writes a line for every event it stores, so the common message is rendered here directly: text, then
/// each property as Serilog's ":j" renders it (a string quoted and escaped, a number as is, a Guid quoted). A message
/// with a format or an alignment on a property, or a property it does not have, is rendered by Serilog itself, with the
/// same output (TextLineFormatterTests compare the two).
/// </para>
/// </remarks>
public sealed class TextLineFormatter : ITextFormatter
{
    private const string TimestampFormat = "HH:mm:ss.fff";

    private static readonly MessageTemplateTextFormatter SerilogMessage = new("{Message:j}");

    /// <summary>The JSON rendering of a value with no shortcut below: Serilog's own, with its type tag.</summary>
    private static readonly JsonValueFormatter Json = new("$type");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(logEvent, output);
        if (!TryWriteMessage(logEvent, output))
        {
            SerilogMessage.Format(logEvent, output);
        }

        if (logEvent.TraceId is { } trace && logEvent.SpanId is { } span)
        {
            output.Write(" trace=");
            output.Write(trace.ToHexString());
            output.Write(" span=");
            output.Write(span.ToHexString());
        }

        output.WriteLine();
        if (logEvent.Exception is { } exception)
        {
            output.WriteLine(exception);
        }
    }

    /// <summary>"[12:00:00.000 INF] ": the event's own time (its offset, as Serilog's {Timestamp:HH:mm:ss.fff}), its level in three letters.</summary>
    private static void WriteHeader(LogEvent logEvent, TextWriter output)
    {
        Span<char> header = stackalloc char[24];
        header[0] = '[';
        logEvent.Timestamp.TryFormat(header[1..], out var written, TimestampFormat, CultureInfo.InvariantCulture);
        var at = 1 + written;
        header[at++] = ' ';
        Level(logEvent.Level).CopyTo(header[at..]);
        at += 3;
        header[at++] = ']';
        header[at++] = ' ';
        output.Write(header[..at]);
    }

    /// <summary>Serilog's "u3" level names.</summary>
    private static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "VRB",
        LogEventLevel.Debug => "DBG",
        LogEventLevel.Information => "INF",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Error => "ERR",
        _ => "FTL",
    };

    /// <returns>false, having written nothing, when the message needs Serilog's renderer.</returns>
    private static bool TryWriteMessage(LogEvent logEvent, TextWriter output)
    {
        var tokens = logEvent.MessageTemplate.Tokens;
        foreach (var token in tokens)
        {
            if (token is PropertyToken property &&
                (property.Format is not null || property.Alignment is not null || !logEvent.Properties.ContainsKey(property.PropertyName)))
            {
                return false;
            }
        }

        foreach (var token in tokens)
        {
            if (token is TextToken text)
            {
                output.Write(text.Text);
            }
            else if (token is PropertyToken property)
            {
                WriteValue(logEvent.Properties[property.PropertyName], output);
            }
        }

        return true;
    }

    private static void WriteValue(LogEventPropertyValue value, TextWriter output)
    {
        Span<char> digits = stackalloc char[40];
        switch (value)
        {
            case ScalarValue { Value: string text }:
                JsonValueFormatter.WriteQuotedJsonString(text, output);
                break;
            case ScalarValue { Value: int number } when number.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture):
                output.Write(digits[..length]);
                break;
            case ScalarValue { Value: long number } when number.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture):
                output.Write(digits[..length]);
                break;
            case ScalarValue { Value: Guid id } when id.TryFormat(digits[1..], out var length):
                digits[0] = '"';
                digits[length + 1] = '"';
                output.Write(digits[..(length + 2)]);
                break;
            default:
                Json.Format(value, output);
                break;
        }
    }
}
