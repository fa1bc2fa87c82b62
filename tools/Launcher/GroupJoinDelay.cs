namespace Launcher;

/// <summary>
/// How long the development broker lets a fresh consumer group wait for its members before the first assignment
/// (librdkafka's mock cluster, like Kafka's group.initial.rebalance.delay.ms).
/// </summary>
/// <remarks>
/// Workers started together reach the broker within a second or two of each other (each is a .NET process that
/// starts up first). Every member that arrives after the group has formed costs a rebalance, and on the development
/// broker a rebalance holds the join for the session timeout less one second (9 s at the default 10 s); the
/// cooperative-sticky assignor then needs a second one to hand over the partitions it took back. Three workers
/// joining one by one took about 26 s to settle. Waiting long enough for all of them settles the group once.
/// </remarks>
public static class GroupJoinDelay
{
    /// <summary>Kafka's own default: ample for processes started together on a busy machine.</summary>
    public static readonly TimeSpan ForSeveral = TimeSpan.FromSeconds(3);

    /// <summary>A single member has nobody to wait for.</summary>
    public static readonly TimeSpan ForOne = TimeSpan.FromMilliseconds(100);

    /// <summary>The wait for a group of <paramref name="members"/> started together.</summary>
    public static TimeSpan For(int members) => members > 1 ? ForSeveral : ForOne;
}
