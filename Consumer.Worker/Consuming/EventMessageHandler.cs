using System.Text;
using Confluent.Kafka;
using Consumer.Worker.Store;
using Shared.Contracts.Events;

namespace Consumer.Worker.Consuming;

/// <summary>
/// Turns one Kafka message into at most one stored event. It never throws on bad data: a message that is not a
/// valid event is logged with where it was found and why, counted, and skipped, so the loop goes on.
/// </summary>
public sealed class EventMessageHandler(IProcessedEventStore store, WorkerMetrics metrics, ILogger<EventMessageHandler> logger)
{
    public HandleOutcome Handle(ConsumeResult<string?, byte[]?> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = HandleMessage(result);
        metrics.Record(outcome);
        return outcome;
    }

    private HandleOutcome HandleMessage(ConsumeResult<string?, byte[]?> result)
    {
        var message = result.Message;
        if (UnsupportedSchemaVersion(message.Headers) is { } version)
        {
            return Malformed(result, $"schema-version {version} is not supported by this worker");
        }

        if (message.Value is not { Length: > 0 } value)
        {
            return Malformed(result, "the message has no value");
        }

        if (!EventJsonReader.TryRead(value, EventReadMode.Published, out var fields, out var errors))
        {
            return Malformed(result, Describe(errors!));
        }

        var processed = new StoredEvent(
            fields.EventId!.Value,
            fields.UserId!,
            fields.EventType!.Value,
            fields.Timestamp!.Value,
            fields.PayloadOf(value).ToArray(),
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

            return HandleOutcome.Duplicate;
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Processed event {EventId} for user {UserId}: {EventType} from {Topic} [{Partition}] @{Offset}",
                processed.EventId, processed.UserId, processed.EventType.ToWireName(), result.Topic, result.Partition.Value, result.Offset.Value);
        }

        return HandleOutcome.Stored;
    }

    private HandleOutcome Malformed(ConsumeResult<string?, byte[]?> result, string reason)
    {
        logger.LogWarning(
            "Skipped malformed message from {Topic} [{Partition}] @{Offset}: {Reason}",
            result.Topic, result.Partition.Value, result.Offset.Value, reason);
        return HandleOutcome.Malformed;
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
