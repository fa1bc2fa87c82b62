using Confluent.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Events;

namespace UnitTests.Api;

/// <summary>
/// The API in a test server with its Kafka producer replaced by a mock. The type argument only names the API's
/// assembly; any public type of it would do.
/// </summary>
internal sealed class ApiWithMockedKafka(params (string Variable, string Value)[] settings) : WebApplicationFactory<ProducerApiOptions>
{
    public const int MaxBodyBytes = 2048;

    public const int MaxPayloadBytes = 1024;

    public Mock<IProducer<string, byte[]>> Producer { get; } = new();

    public List<Message<string, byte[]>> Published { get; } = [];

    /// <summary>The topic's partition count as the mocked producer places messages (murmur2 of the key, as Kafka's).</summary>
    public const int Partitions = 3;

    /// <summary>
    /// Every message is acknowledged: awaited one by one (single events) or reported (batches), each at the next
    /// offset of the partition its key maps to.
    /// </summary>
    public void AcknowledgeEverything()
    {
        Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string topic, Message<string, byte[]> message, CancellationToken _) =>
            {
                var (partition, offset) = Record(message);
                return new DeliveryResult<string, byte[]> { Topic = topic, Message = message, Status = PersistenceStatus.Persisted, Partition = partition, Offset = offset };
            });
        Producer.Setup(p => p.Produce(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<Action<DeliveryReport<string, byte[]>>>()))
            .Callback((string topic, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>> handler) =>
            {
                var (partition, offset) = Record(message);
                handler(new DeliveryReport<string, byte[]>
                {
                    Topic = topic,
                    Message = message,
                    Error = new Error(ErrorCode.NoError),
                    Status = PersistenceStatus.Persisted,
                    Partition = partition,
                    Offset = offset,
                });
            });
    }

    /// <summary>Every message fails with <paramref name="code"/>, in whichever way it was produced.</summary>
    public void FailEverything(ErrorCode code)
    {
        Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ProduceException<string, byte[]>(new Error(code), new DeliveryResult<string, byte[]>()));
        Producer.Setup(p => p.Produce(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<Action<DeliveryReport<string, byte[]>>>()))
            .Callback((string topic, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>> handler) =>
                handler(new DeliveryReport<string, byte[]> { Topic = topic, Message = message, Error = new Error(code) }));
    }

    /// <summary>Remembers the message; returns where it lands: its key's partition, at that partition's next offset.</summary>
    private (int Partition, long Offset) Record(Message<string, byte[]> message)
    {
        lock (Published)
        {
            Published.Add(message);
            var partition = PartitionOf(message.Key);
            return (partition, Published.Count(m => PartitionOf(m.Key) == partition) - 1);
        }
    }

    private static int PartitionOf(string key) => Guid.TryParse(key, out var id) ? EventPartitioner.PartitionOf(id, Partitions) : 0;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("MAX_BODY_BYTES", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("MAX_PAYLOAD_BYTES", MaxPayloadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("PUBLISH_TIMEOUT_MS", "1000");
        // Nothing listens here: queries must fail as "worker unreachable".
        builder.UseSetting("WORKER_GRPC_URL", "http://127.0.0.1:9");
        builder.UseSetting("WORKER_CALL_TIMEOUT_MS", "1000");
        // The tests follow requests through their spans: every one is traced, not the deployed default's share.
        builder.UseSetting("OTEL_TRACES_SAMPLER", "always_on");
        // Short, so that a test's read with a token the workers do not reach is refused soon, and within any request
        // timeout a test sets.
        builder.UseSetting("CONSISTENCY_WAIT_MS", "100");
        foreach (var (variable, value) in settings)
        {
            builder.UseSetting(variable, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Producer.Object);
            // The mocked producer has no broker behind it, and no client handle to ask one through.
            services.AddSingleton<ITopicMetadata>(new UnreachableTopic());
            services.AddSingleton<IPartitionEnds>(new UnknownEnds());
        });
    }

    /// <summary>No broker tells the partitions' ends: every end unknown.</summary>
    private sealed class UnknownEnds : IPartitionEnds
    {
        public Task<IReadOnlyDictionary<int, long>> EndsAsync(IEnumerable<int> partitions, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());
    }

    /// <summary>The topic as the API sees it while no broker answers: no metadata, a partition count never known.</summary>
    private sealed class UnreachableTopic : ITopicMetadata
    {
        public string Topic => "user-activity-events";

        public Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken) =>
            Task.FromException<TopicMetadata?>(new KafkaException(ErrorCode.Local_Transport));

        public Task<int?> PartitionCountAsync(CancellationToken cancellationToken) => Task.FromResult<int?>(null);
    }
}
