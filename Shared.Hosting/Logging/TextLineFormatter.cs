using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Shared.Hosting.Logging;

/// <summary>
/// The text format's line: "[12:00:00.000 INF] message", then " trace=... span=..." when it was written inside a span
/// (nothing outside one, so a line outside any request does not end in empty ids), then the exception if any. Message
/// properties are rendered JSON-escaped (":j"), so a newline in a client's userId cannot forge a second line.
/// </summary>
/// <remarks>
/// The ids are written here rather than added to every event as a property by an enricher: the extra property outgrew
/// each event's property dictionary, a third of what the worker's line per event allocated (BENCHMARKS.md).
/// </remarks>
public sealed class TextLineFormatter : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _line = new("[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:j}");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        _line.Format(logEvent, output);
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
}
