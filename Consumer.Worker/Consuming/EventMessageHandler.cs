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
    /// <param name="result">The message.</param>
    /// <param name="rebuilding">
    /// The message lies below the partition's committed offset: it was processed before this worker owned the
    /// partition, and is only put back into the store, without logging it as processed again.
    /// </param>
    public HandleResult Handle(ConsumeResult<string?, byte[]?> result, bool rebuilding = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        var message = result.Message;
        if (UnsupportedSchemaVersion(message.Headers) is { } version)
        {
            return Malformed(result, $"schema-version {version} is not supported by this worker", rebuilding);
        }

        if (message.Value is not { Length: > 0 } value)
        {
            return Malformed(result, "the message has no value", rebuilding);
        }

        if (!EventJsonReader.TryRead(value, EventReadMode.Published, out var fields, out var errors))
        {
            return Malformed(result, Describe(errors!), rebuilding);
        }

        var processed = new StoredEvent(
            fields.EventId!.Value,
            fields.UserId!,
            fields.EventType!.Value,
            fields.Timestamp!.Value,
            value,
            result.Partition.Value,
            result.Offset.Value);
        if (!store.TryAdd(processed))
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(
                    "Skipped duplicate of event {EventId} from {Topic} [{Partition}] @{Offset}",
                    processed.EventId, result.Topic, result.Partition.Value, result.Offset.Value);
            }

            return new HandleResult(HandleOutcome.Duplicate);
        }

        if (rebuilding)
        {
            return new HandleResult(HandleOutcome.Rebuilt);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Processed event {EventId} for user {UserId}: {EventType} from {Topic} [{Partition}] @{Offset}",
                processed.EventId, processed.UserId, processed.EventType.ToWireName(), result.Topic, result.Partition.Value, result.Offset.Value);
        }

        return new HandleResult(HandleOutcome.Stored, Timestamp: processed.Timestamp);
    }

    private HandleResult Malformed(ConsumeResult<string?, byte[]?> result, string reason, bool rebuilding)
    {
        // While rebuilding, the message was dead-lettered when it was first read; it is passed over in silence.
        if (!rebuilding)
        {
            logger.LogWarning(
                "Malformed message at {Topic} [{Partition}] @{Offset}: {Reason}",
                result.Topic, result.Partition.Value, result.Offset.Value, reason);
        }

        return new HandleResult(HandleOutcome.Malformed, reason);
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
