using System.Runtime.InteropServices;
using System.Text;

namespace DevBroker;

/// <summary>
/// An in-memory Kafka-protocol broker for development and tests: librdkafka's mock cluster. It speaks the real
/// wire protocol over TCP, with consumer groups, committed offsets and fault injection. It is NOT Kafka: it keeps
/// everything in this process's memory, keeps at most 5 MiB per partition, and loses it all when it stops.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap address.");
    }

    /// <summary>host:port list of the brokers; the ports are ephemeral and change with every start.</summary>
    public string BootstrapServers { get; }

    /// <summary>Broker ids run from 1 to this count.</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// Starts a cluster. <paramref name="groupJoinDelay"/> is how long the first join of a fresh consumer group waits
    /// for more members (about 3 s by default in librdkafka; far less is right for tests and a local run).
    /// </summary>
    public static MockKafkaCluster Start(int brokerCount = 1, TimeSpan? groupJoinDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        NativeMethods.EnsureLoaded();
        var errors = new byte[512];
        var conf = NativeMethods.rd_kafka_conf_new();
        // The handle only owns the cluster; it never connects anywhere, so its own log stays quiet.
        NativeMethods.rd_kafka_conf_set(conf, "log_level", "3", errors, (nuint)errors.Length);
        var handle = NativeMethods.rd_kafka_new(0, conf, errors, (nuint)errors.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"librdkafka refused to create a handle: {Decode(errors)}");
        }

        var cluster = NativeMethods.rd_kafka_mock_cluster_new(handle, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            NativeMethods.rd_kafka_destroy(handle);
            throw new InvalidOperationException("librdkafka refused to create a mock cluster.");
        }

        NativeMethods.rd_kafka_mock_group_initial_rebalance_delay_ms(
            cluster, (int)(groupJoinDelay ?? TimeSpan.FromMilliseconds(100)).TotalMilliseconds);
        return new MockKafkaCluster(handle, cluster, brokerCount);
    }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(NativeMethods.rd_kafka_mock_topic_create(Cluster, topic, partitions, Math.Min(replicationFactor, BrokerCount)),
            $"create topic {topic}");

    /// <summary>Closes the broker's connections and refuses new ones, as a crashed broker would.</summary>
    public void SetBrokerDown(int brokerId) =>
        Check(NativeMethods.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"take broker {brokerId} down");

    /// <summary>Listens again on the same port.</summary>
    public void SetBrokerUp(int brokerId) =>
        Check(NativeMethods.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"bring broker {brokerId} up");

    /// <summary>Adds round-trip latency to every response of one broker (-1: all brokers).</summary>
    public void SetBrokerRoundTrip(int brokerId, TimeSpan rtt) =>
        Check(NativeMethods.rd_kafka_mock_broker_set_rtt(Cluster, brokerId, (int)rtt.TotalMilliseconds), $"set broker {brokerId} rtt");

    /// <summary>
    /// The next requests with this Kafka API key (0 Produce, 1 Fetch, 3 Metadata, 8 OffsetCommit, ...) fail with
    /// these error codes, one request each, in order.
    /// </summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        NativeMethods.rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (nuint)errorCodes.Length, errorCodes);
    }

    /// <summary>Drops the errors still pushed for this Kafka API key: its requests succeed again.</summary>
    public void ClearRequestErrors(short apiKey) => NativeMethods.rd_kafka_mock_clear_request_errors(Cluster, apiKey);

    /// <summary>
    /// Metadata answers name this error for the topic (0 clears it): with 5 (LEADER_NOT_AVAILABLE) a producer finds no
    /// leader for it and cannot write to it, while every other topic works on.
    /// </summary>
    public void SetTopicError(string topic, int errorCode) => NativeMethods.rd_kafka_mock_topic_set_error(Cluster, topic, errorCode);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                NativeMethods.rd_kafka_mock_cluster_destroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_handle != IntPtr.Zero)
            {
                NativeMethods.rd_kafka_destroy(_handle);
                _handle = IntPtr.Zero;
            }
        }
    }

    private IntPtr Cluster
    {
        get
        {
            var cluster = _cluster;
            ObjectDisposedException.ThrowIf(cluster == IntPtr.Zero, this);
            return cluster;
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            var reason = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_err2str(error));
            throw new InvalidOperationException($"The mock cluster could not {what}: {reason} ({error}).");
        }
    }

    private static string Decode(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
