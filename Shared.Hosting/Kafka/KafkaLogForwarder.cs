using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Shared.Hosting.Kafka;

/// <summary>
/// Passes librdkafka's log lines and client errors to the service's logger. While a broker is down, librdkafka
/// reports the same connection failure about every 50 ms; one line per distinct message per window, followed
/// by how many were suppressed, keeps an outage readable without hiding that it goes on.
/// </summary>
public sealed class KafkaLogForwarder(ILogger logger, TimeProvider time, TimeSpan window)
{
    private readonly ConcurrentDictionary<string, Suppression> _recent = new(StringComparer.Ordinal);

    public void OnLog(LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        Forward(level, message.Facility, message.Message);
    }

    public void OnError(Error error)
    {
        // A fatal error ends the client; everything else librdkafka retries by itself.
        var level = error.IsFatal ? LogLevel.Critical : LogLevel.Warning;
        Forward(level, error.Code.ToString(), error.Reason);
    }

    private void Forward(LogLevel level, string facility, string text)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var now = time.GetTimestamp();
        var key = string.Concat(facility, "|", Shape(text));
        var entry = _recent.GetOrAdd(key, static _ => new Suppression());
        int suppressed;
        lock (entry)
        {
            if (entry.LastLogged != 0 && time.GetElapsedTime(entry.LastLogged, now) < window)
            {
                entry.Suppressed++;
                return;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastLogged = now;
        }

        if (suppressed > 0)
        {
            logger.Log(level, "Kafka client {Facility}: {KafkaMessage} ({Suppressed} similar lines suppressed)", facility, text, suppressed);
        }
        else
        {
            logger.Log(level, "Kafka client {Facility}: {KafkaMessage}", facility, text);
        }
    }

    /// <summary>The message with each run of digits folded to '#': repeats differ only in their numbers (elapsed ms, counts).</summary>
    private static string Shape(string text)
    {
        var shape = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                shape.Append(text[i]);
            }
            else if (i == 0 || !char.IsAsciiDigit(text[i - 1]))
            {
                shape.Append('#');
            }
        }

        return shape.ToString();
    }

    private sealed class Suppression
    {
        public long LastLogged { get; set; }

        public int Suppressed { get; set; }
    }
}
