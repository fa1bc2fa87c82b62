namespace Consumer.Worker.Consuming;

/// <summary>How a wait for a partition's offset ended.</summary>
public enum WaitOutcome
{
    /// <summary>Every message below the offset is settled in the store.</summary>
    Reached,

    /// <summary>The partition left this worker (revoked, lost, or the worker stops): its next owner can tell.</summary>
    Released,

    /// <summary>The wait's time was up (or its caller went away) first.</summary>
    TimedOut,
}
