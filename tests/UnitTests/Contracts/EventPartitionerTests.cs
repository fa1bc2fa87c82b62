using System.Text;
using Shared.Contracts.Events;

namespace UnitTests.Contracts;

public sealed class EventPartitionerTests
{
    // Reference values of Kafka's Java client (the test vectors of Utils.murmur2).
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void The_hash_is_the_one_the_java_client_computes(string key, int expected)
    {
        Assert.Equal(expected, EventPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void The_partition_is_the_positive_hash_modulo_the_partition_count()
    {
        Assert.Equal((-973932308 & 0x7fffffff) % 3, EventPartitioner.PartitionOf("21", 3));
    }

    [Fact]
    public void Every_partition_gets_keys()
    {
        var counts = new int[6];
        for (var i = 0; i < 6000; i++)
        {
            counts[EventPartitioner.PartitionOf(Guid.NewGuid(), 6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 700, 1300));
    }
}
