namespace Producer.Api.Kafka;

public enum PublishStatus
{
    /// <summary>Written to every in-sync replica: the event will not be lost.</summary>
    Acknowledged,

    /// <summary>Kafka reported an error. The event may or may not have been written.</summary>
    Failed,

    /// <summary>No acknowledgement within the publish timeout. The event may or may not have been written.</summary>
    TimedOut,

    /// <summary>Not sent: Kafka is known to be failing (the circuit is open).</summary>
    Rejected,
}
