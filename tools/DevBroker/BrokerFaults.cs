namespace DevBroker;

/// <summary>
/// The development broker's fault injection, plus the state that librdkafka sets but never reports back: which
/// brokers are down and what latency each adds. Every change is applied and recorded under one lock, so a
/// listing never shows a state the cluster is not in.
/// </summary>
public sealed class BrokerFaults
{
    /// <summary>The broker id that stands for every broker.</summary>
    public const int AllBrokers = -1;

    private readonly Lock _gate = new();
    private readonly MockKafkaCluster _cluster;
    private readonly Action<string> _log;
    private readonly BrokerState[] _brokers;

    /// <param name="cluster">The cluster whose faults this controls; it stays owned by the caller.</param>
    /// <param name="log">Where each change is announced, for the person watching the console.</param>
    public BrokerFaults(MockKafkaCluster cluster, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _cluster = cluster;
        _log = log;
        // librdkafka lists the bootstrap addresses in broker id order.
        var addresses = cluster.BootstrapServers.Split(',');
        _brokers = [.. Enumerable.Range(1, cluster.BrokerCount)
            .Select(id => new BrokerState(id, id <= addresses.Length ? addresses[id - 1] : string.Empty, Up: true, RoundTripMs: 0))];
    }

    public string BootstrapServers => _cluster.BootstrapServers;

    public IReadOnlyList<BrokerState> Brokers
    {
        get
        {
            lock (_gate)
            {
                return [.. _brokers];
            }
        }
    }

    /// <summary>Closes the broker's connections and refuses new ones. Throws InvalidOperationException for an unknown id.</summary>
    public void SetDown(int brokerId) => Apply(brokerId, "down", () => _cluster.SetBrokerDown(brokerId), b => b with { Up = false });

    /// <summary>Listens again on the same port. Throws InvalidOperationException for an unknown id.</summary>
    public void SetUp(int brokerId) => Apply(brokerId, "up", () => _cluster.SetBrokerUp(brokerId), b => b with { Up = true });

    /// <summary>Delays every response of the broker by <paramref name="milliseconds"/>; 0 removes the delay.</summary>
    public void SetRoundTrip(int brokerId, int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        Apply(
            brokerId,
            $"round trip {milliseconds} ms",
            () => _cluster.SetBrokerRoundTrip(brokerId, TimeSpan.FromMilliseconds(milliseconds)),
            b => b with { RoundTripMs = milliseconds });
    }

    /// <summary>The next requests with this API key fail with these codes, one request each, in order.</summary>
    public void PushRequestErrors(short apiKey, IReadOnlyList<int> errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        lock (_gate)
        {
            _cluster.PushRequestErrors(apiKey, [.. errorCodes]);
        }

        _log(errorCodes.Count == 1
            ? $"the next request with API key {apiKey} fails with {errorCodes[0]}"
            : $"the next {errorCodes.Count} requests with API key {apiKey} fail with {string.Join(',', errorCodes)}");
    }

    private void Apply(int brokerId, string what, Action change, Func<BrokerState, BrokerState> record)
    {
        lock (_gate)
        {
            change();
            for (var i = 0; i < _brokers.Length; i++)
            {
                if (brokerId == AllBrokers || _brokers[i].Id == brokerId)
                {
                    _brokers[i] = record(_brokers[i]);
                }
            }
        }

        _log(brokerId == AllBrokers ? $"all brokers {what}" : $"broker {brokerId} {what}");
    }
}
