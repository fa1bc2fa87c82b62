namespace Shared.Contracts.Events;

/// <summary>
/// The fields <see cref="EventJsonReader"/> found. The payload is not copied: it is a range of the input,
/// so that callers can pass the client's bytes on as they are.
/// </summary>
public readonly record struct EventFields(
    Guid? EventId,
    string? UserId,
    EventType? EventType,
    DateTimeOffset? Timestamp,
    Range? PayloadRange)
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    /// <summary>The payload's raw JSON inside <paramref name="json"/>, or <c>{}</c> when the event has none.</summary>
    public ReadOnlySpan<byte> PayloadOf(ReadOnlySpan<byte> json) =>
        PayloadRange is { } range ? json[range] : EmptyObject;
}
