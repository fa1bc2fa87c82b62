using System.Buffers.Binary;
using System.Text;

namespace Shared.Contracts.Events;

/// <summary>
/// Which partition an event's key lands on: murmur2 of the key's UTF-8 bytes, as the Java client and librdkafka's
/// murmur2 partitioners compute it. The API publishes with that partitioner, so anyone who knows the partition count
/// can tell from an eventId which partition, and so which worker, holds it.
/// </summary>
public static class EventPartitioner
{
    public static int PartitionOf(Guid eventId, int partitionCount) => PartitionOf(eventId.ToString(), partitionCount);

    public static int PartitionOf(string key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (Murmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff) % partitionCount;
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), as a signed 32-bit value like the Java client's.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var h = 0x9747b28c ^ (uint)data.Length;
        var i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (data.Length - i)
        {
            case 3:
                h ^= (uint)data[i + 2] << 16;
                h ^= (uint)data[i + 1] << 8;
                h ^= data[i];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[i + 1] << 8;
                h ^= data[i];
                h *= m;
                break;
            case 1:
                h ^= data[i];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
