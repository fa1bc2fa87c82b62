namespace Consumer.Worker.Consuming;

/// <summary>Where one partition stands in the worker's life with it, from its assignment on.</summary>
public enum PartitionPhase
{
    /// <summary>Owned; reading back the messages below the committed offset into the store. Not served yet.</summary>
    Rebuilding,

    /// <summary>
    /// Owned; processing from the committed offset up to the end the partition had when it was assigned. Not served
    /// yet: events that a previous owner processed without committing are still to be read again, so an answer now
    /// could lack events that an earlier one listed.
    /// </summary>
    CatchingUp,

    /// <summary>Owned, and the store holds every event up to (at least) the partition's end as of its assignment.</summary>
    Serving,

    /// <summary>
    /// Lost (the group's session expired, as in a long broker outage) but its events are kept: a processed event
    /// stays processed, so a lookup may still find it here, and the partition resumes from them if the group gives
    /// it back. Not owned, not served in lists.
    /// </summary>
    Kept,
}
