using Confluent.Kafka;
using Moq;

namespace UnitTests.Worker;

/// <summary>
/// What the consumer tells <see cref="Consumer.Worker.Consuming.PartitionLifecycle"/> about each partition (committed
/// offset, log start and end, position), set by the test; and what the lifecycle did to it (offsets stored, commits).
/// </summary>
internal sealed class FakePartitionLog
{
    public const string Topic = "events";

    private readonly Dictionary<int, (long? Committed, long LogStart, long End)> _partitions = [];
    private readonly Mock<IConsumer<string?, byte[]?>> _consumer = new();

    public FakePartitionLog()
    {
        _consumer.Setup(c => c.Committed(It.IsAny<IEnumerable<TopicPartition>>(), It.IsAny<TimeSpan>()))
            .Returns((IEnumerable<TopicPartition> partitions, TimeSpan _) => [.. partitions.Select(p =>
                new TopicPartitionOffset(p, _partitions[p.Partition.Value].Committed is { } committed ? new Offset(committed) : Offset.Unset))]);
        _consumer.Setup(c => c.QueryWatermarkOffsets(It.IsAny<TopicPartition>(), It.IsAny<TimeSpan>()))
            .Returns((TopicPartition p, TimeSpan _) => EndsUnknown
                ? throw new KafkaException(ErrorCode.Local_TimedOut)
                : new WatermarkOffsets(_partitions[p.Partition.Value].LogStart, _partitions[p.Partition.Value].End));
        _consumer.Setup(c => c.GetWatermarkOffsets(It.IsAny<TopicPartition>()))
            .Returns((TopicPartition p) => CachedEnds
                ? new WatermarkOffsets(_partitions[p.Partition.Value].LogStart, _partitions[p.Partition.Value].End)
                : new WatermarkOffsets(Offset.Unset, Offset.Unset));
        _consumer.Setup(c => c.Position(It.IsAny<TopicPartition>()))
            .Returns((TopicPartition p) => Positions.TryGetValue(p.Partition.Value, out var position) ? new Offset(position) : Offset.Unset);
        _consumer.Setup(c => c.StoreOffset(It.IsAny<ConsumeResult<string?, byte[]?>>()))
            .Callback((ConsumeResult<string?, byte[]?> result) => Record("store", result.Partition.Value, result.Offset.Value + 1));
        _consumer.Setup(c => c.StoreOffset(It.IsAny<TopicPartitionOffset>()))
            .Callback((TopicPartitionOffset offset) => Record("store", offset.Partition.Value, offset.Offset.Value));
        _consumer.Setup(c => c.Commit(It.IsAny<IEnumerable<TopicPartitionOffset>>()))
            .Callback((IEnumerable<TopicPartitionOffset> offsets) => Committed.AddRange(offsets.Select(o => (o.Partition.Value, o.Offset.Value))));
        _consumer.Setup(c => c.Commit()).Callback(() => Calls.Add("commit")).Returns([]);
    }

    public IConsumer<string?, byte[]?> Consumer => _consumer.Object;

    /// <summary>Each partition's position, as Position() answers it.</summary>
    public Dictionary<int, long> Positions { get; } = [];

    /// <summary>Offsets stored (the next offset to read, as Kafka stores them), in order.</summary>
    public List<(int Partition, long Offset)> Stored { get; } = [];

    /// <summary>Each store ("store 0@15") and commit of stored offsets ("commit"), in the order they were made.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Explicit commits, in order.</summary>
    public List<(int Partition, long Offset)> Committed { get; } = [];

    /// <summary>The broker does not answer QueryWatermarkOffsets.</summary>
    public bool EndsUnknown { get; set; }

    /// <summary>librdkafka has fetched the partitions, so it knows their ends without asking.</summary>
    public bool CachedEnds { get; set; }

    private void Record(string call, int partition, long offset)
    {
        Stored.Add((partition, offset));
        Calls.Add($"{call} {partition}@{offset}");
    }

    public void Partition(int partition, long? committed, long logStart, long end) => _partitions[partition] = (committed, logStart, end);

    public static List<TopicPartition> Partitions(params int[] partitions) => [.. partitions.Select(p => new TopicPartition(Topic, p))];

    public static List<TopicPartitionOffset> Offsets(params int[] partitions) => [.. partitions.Select(p => new TopicPartitionOffset(Topic, p, Offset.Unset))];

    public static ConsumeResult<string?, byte[]?> Message(int partition, long offset) => new()
    {
        Topic = Topic,
        Partition = new Partition(partition),
        Offset = new Offset(offset),
        Message = new Message<string?, byte[]?> { Key = "k", Value = EventMessageHandlerTests.ValidEvent(Guid.NewGuid()), Headers = [] },
    };
}
