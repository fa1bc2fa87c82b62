namespace Consumer.Worker.Consuming;

public enum HandleOutcome
{
    /// <summary>First delivery of this eventId: now in the store.</summary>
    Stored,

    /// <summary>The eventId was stored before; this copy changed nothing.</summary>
    Duplicate,

    /// <summary>Put back into the store while rebuilding a partition from its log: processed before, not again.</summary>
    Rebuilt,

    /// <summary>Not a valid event: it goes to the dead-letter topic.</summary>
    Malformed,

    /// <summary>Valid, but processing kept failing after its retries: it goes to the dead-letter topic.</summary>
    Failed,
}
