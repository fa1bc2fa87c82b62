using Confluent.Kafka;

namespace Consumer.Worker.Consuming;

/// <summary>What the consume loop knows about its place in the group, for readiness and diagnostics.</summary>
public sealed class ConsumerState
{
    private volatile IReadOnlyList<TopicPartition>? _assigned;
    private volatile bool _running;

    /// <summary>Joined: the group has given this member an assignment (possibly empty: more workers than partitions).</summary>
    public bool IsJoined => _running && _assigned is not null;

    public IReadOnlyList<TopicPartition> Assigned => _assigned ?? [];

    internal void Started() => _running = true;

    internal void Stopped()
    {
        _running = false;
        _assigned = null;
    }

    internal void OnAssigned(IEnumerable<TopicPartition> partitions) => _assigned = [.. partitions];

    internal void OnRevoked() => _assigned = null;
}
