namespace Consumer.Worker.Consuming;

public enum HandleOutcome
{
    /// <summary>First delivery of this eventId: now in the store.</summary>
    Stored,

    /// <summary>The eventId was stored before; this copy changed nothing.</summary>
    Duplicate,

    /// <summary>Not a valid event: logged, counted and skipped.</summary>
    Malformed,
}
