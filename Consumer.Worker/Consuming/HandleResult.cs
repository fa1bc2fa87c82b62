namespace Consumer.Worker.Consuming;

/// <summary>What happened to one message, why when it was not stored, and the event's timestamp when it was.</summary>
public readonly record struct HandleResult(HandleOutcome Outcome, string? Reason = null, DateTimeOffset? Timestamp = null)
{
    public bool GoesToDeadLetters => Outcome is HandleOutcome.Malformed or HandleOutcome.Failed;
}
