using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Store;
using Shared.Contracts.Events;

namespace Consumer.Worker.Consuming;

/// <summary>
/// Turns one Kafka message into at most one stored event. It never throws on bad data: a message that is not a
/// valid event is logged with where it was found and why, and reported malformed so that it goes to the
/// dead-letter topic; the loop goes on. It throws only when storing itself fails, which the caller retries.
/// </summary>
public sealed class EventMessageHandler(IProcessedEventStore store, ILogger<EventMessageHandler> logger)
{
    /// <summary>A message read for the first time: stored and logged as processed, or reported malformed.</summary>
    public HandleResult Handle(ConsumeResult<string?, byte[]?> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!TryRead(result, out var processed, out var reason))
        {
            logger.LogWarning(
                "Malformed message at {Topic} [{Partition}] @{Offset}: {Reason}",
                result.Topic, result.Partition.Value, result.Offset.Value, reason);
            return new HandleResult(HandleOutcome.Malformed, reason);
        }

        if (!TryStore(result, processed))
        {
            return new HandleResult(HandleOutcome.Duplicate);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Processed event {EventId} for user {UserId}: {EventType} from {Topic} [{Partition}] @{Offset}",
                processed.EventId, processed.UserId, processed.EventType.ToWireName(), result.Topic, result.Partition.Value, result.Offset.Value);
        }

        return new HandleResult(HandleOutcome.Stored, Timestamp: processed.Timestamp);
    }

    /// <summary>
    /// A message below its partition's committed offset, read again to rebuild the store: it was processed (logged,
    /// or dead-lettered) when it was first read, so it is only put back into the store, in silence.
    /// </summary>
    public HandleResult Replay(ConsumeResult<string?, byte[]?> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!TryRead(result, out var processed, out var reason))
        {
            return new HandleResult(HandleOutcome.Malformed, reason);
        }

        return new HandleResult(TryStore(result, processed) ? HandleOutcome.Rebuilt : HandleOutcome.Duplicate);
    }

    private static bool TryRead(ConsumeResult<string?, byte[]?> result, [NotNullWhen(true)] out StoredEvent? processed, [NotNullWhen(false)] out string? reason)
    {
        processed = null;
        var message = result.Message;
        if (UnsupportedSchemaVersion(message.Headers) is { } version)
        {
            reason = $"schema-version {version} is not supported by this worker";
            return false;
        }

        if (message.Value is not { Length: > 0 } value)
        {
            reason = "the message has no value";
            return false;
        }

        if (!EventJsonReader.TryRead(value, EventReadMode.Published, out var fields, out var errors))
        {
            reason = Describe(errors!);
            return false;
        }

        processed = new StoredEvent(
            fields.EventId!.Value,
            fields.UserId!,
            fields.EventType!.Value,
            fields.Timestamp!.Value,
            value,
            result.Partition.Value,
            result.Offset.Value);
        reason = null;
        return true;
    }

    /// <returns>false for a duplicate: the eventId is in the store already.</returns>
    private bool TryStore(ConsumeResult<string?, byte[]?> result, StoredEvent processed)
    {
        if (store.TryAdd(processed))
        {
            return true;
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug(
                "Skipped duplicate of event {EventId} from {Topic} [{Partition}] @{Offset}",
                processed.EventId, result.Topic, result.Partition.Value, result.Offset.Value);
        }

        return false;
    }

    private static string? UnsupportedSchemaVersion(Headers? headers)
    {
        // No header means a producer that predates versioning; version 1 is the only schema so far.
        if (headers is null || !headers.TryGetLastBytes(EventHeaders.SchemaVersion, out var bytes))
        {
            return null;
        }

        var version = Encoding.UTF8.GetString(bytes);
        return version == EventHeaders.CurrentSchemaVersion ? null : version;
    }

    private static string Describe(Dictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
