using Serilog.Core;
using Serilog.Events;

namespace Shared.Hosting;

/// <summary>
/// For the text format: " trace=... span=..." on a line written inside a span, nothing on one written outside, so
/// a line outside any request does not end in empty ids. (The JSON format writes the ids as @tr and @sp by itself.)
/// </summary>
internal sealed class TraceContextEnricher : ILogEventEnricher
{
    public const string PropertyName = "TraceContext";

    private static readonly LogEventProperty None = new(PropertyName, new ScalarValue(string.Empty));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        logEvent.AddPropertyIfAbsent(logEvent.TraceId is { } trace && logEvent.SpanId is { } span
            ? new LogEventProperty(PropertyName, new ScalarValue($" trace={trace.ToHexString()} span={span.ToHexString()}"))
            : None);
    }
}
