using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Polly.Registry;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Events;
using Shared.Hosting;

namespace UnitTests.Api;

public sealed class KafkaEventPublisherTests
{
    private static readonly byte[] Json = """{"eventId":"x"}"""u8.ToArray();
    private readonly Mock<IProducer<string, byte[]>> _producer = new();

    private KafkaEventPublisher CreatePublisher(AllBrokersDown? outage = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ProducerApiOptions { PublishTimeoutMs = 1000 }));
        if (outage is not null)
        {
            services.AddSingleton(outage);
        }

        services.AddPublishPipeline();
        services.AddMetrics();
        var provider = services.BuildServiceProvider();
        var kafka = Microsoft.Extensions.Options.Options.Create(new KafkaOptions { Topic = "events" });
        return new KafkaEventPublisher(
            _producer.Object,
            kafka,
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProducerApiOptions>>(),
            provider.GetRequiredService<ResiliencePipelineProvider<string>>(),
            new PublishMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), kafka),
            NullLogger<KafkaEventPublisher>.Instance);
    }

    private void AcknowledgeEverything() =>
        _producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string topic, Message<string, byte[]> message, CancellationToken _) => new DeliveryResult<string, byte[]>
            {
                Topic = topic,
                Partition = new Partition(1),
                Offset = new Offset(42),
                Message = message,
                Status = PersistenceStatus.Persisted,
            });

    private void FailEverything(ErrorCode code) =>
        _producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ProduceException<string, byte[]>(new Error(code), new DeliveryResult<string, byte[]>()));

    [Fact]
    public async Task An_acknowledged_event_is_reported_acknowledged()
    {
        AcknowledgeEverything();

        var result = await CreatePublisher().PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);

        Assert.Equal(PublishStatus.Acknowledged, result.Status);
    }

    [Fact]
    public async Task The_event_is_keyed_by_its_eventId_and_carries_content_type_and_schema_version_headers()
    {
        AcknowledgeEverything();
        var eventId = Guid.NewGuid();

        await CreatePublisher().PublishAsync(eventId, Json, CancellationToken.None);

        _producer.Verify(p => p.ProduceAsync(
            "events",
            It.Is<Message<string, byte[]>>(m =>
                m.Key == eventId.ToString()
                && m.Value == Json
                && Encoding.UTF8.GetString(m.Headers.GetLastBytes(EventHeaders.ContentType)) == "application/json"
                && Encoding.UTF8.GetString(m.Headers.GetLastBytes(EventHeaders.SchemaVersion)) == "1"),
            It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_delivery_timeout_is_reported_as_timed_out()
    {
        FailEverything(ErrorCode.Local_MsgTimedOut);

        var result = await CreatePublisher().PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);

        Assert.Equal(PublishStatus.TimedOut, result.Status);
    }

    [Fact]
    public async Task A_delivery_error_is_reported_as_failed_not_thrown()
    {
        FailEverything(ErrorCode.NotEnoughReplicas);

        var result = await CreatePublisher().PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);

        Assert.Equal(PublishStatus.Failed, result.Status);
    }

    [Fact]
    public async Task Repeated_failures_open_the_circuit_and_later_events_are_refused_without_calling_kafka()
    {
        FailEverything(ErrorCode.Local_AllBrokersDown);
        var publisher = CreatePublisher();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(PublishStatus.Failed, (await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None)).Status);
        }

        var refused = await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);

        Assert.Equal(PublishStatus.Rejected, refused.Status);
        _producer.Verify(
            p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()),
            Times.Exactly(10));
    }

    [Fact]
    public async Task While_the_producer_reports_every_broker_down_events_are_refused_unsent_until_the_circuit_closes()
    {
        AcknowledgeEverything();
        using var outage = new AllBrokersDown(NullLogger<AllBrokersDown>.Instance);
        var publisher = CreatePublisher(outage);
        outage.OnProducerError(new Error(ErrorCode.Local_Transport));
        Assert.Equal(PublishStatus.Acknowledged, (await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None)).Status);

        var before = outage.Outage;
        await outage.IsolateAsync("1/1 brokers are down", CancellationToken.None);
        var single = await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);
        var batch = await publisher.PublishBatchAsync([(Guid.NewGuid(), Json), (Guid.NewGuid(), Json)], CancellationToken.None);
        // An answer to a request sent before the outage began says nothing about it; one sent during it ends it.
        await outage.BrokerAnsweredAsync(before, CancellationToken.None);
        var stillRefused = await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);
        await outage.BrokerAnsweredAsync(outage.Outage, CancellationToken.None);
        var after = await publisher.PublishAsync(Guid.NewGuid(), Json, CancellationToken.None);

        Assert.Equal(PublishStatus.Rejected, single.Status);
        Assert.StartsWith("Every Kafka broker is down", single.Reason, StringComparison.Ordinal);
        Assert.All(batch, r => Assert.Equal(PublishStatus.Rejected, r.Status));
        Assert.Equal(PublishStatus.Rejected, stillRefused.Status);
        Assert.Equal(PublishStatus.Acknowledged, after.Status);
        Assert.False(outage.IsIsolated);
        _producer.Verify(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        _producer.Verify(p => p.Produce(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<Action<DeliveryReport<string, byte[]>>>()), Times.Never);
    }

    [Fact]
    public async Task An_all_brokers_down_report_is_kept_other_client_errors_are_not_and_reports_of_an_outage_that_is_over_are_dropped()
    {
        using var outage = new AllBrokersDown(NullLogger<AllBrokersDown>.Instance);
        using var cancel = new CancellationTokenSource();

        outage.OnProducerError(new Error(ErrorCode.Local_Transport));
        var none = outage.NextAsync(cancel.Token).AsTask();
        outage.OnProducerError(new Error(ErrorCode.Local_AllBrokersDown));
        outage.OnProducerError(new Error(ErrorCode.Local_AllBrokersDown));

        Assert.Equal(ErrorCode.Local_AllBrokersDown, (await none).Code);
        // The second report came during the outage the first one began: once a broker answers, it is dropped.
        await outage.IsolateAsync("outage", cancel.Token);
        await outage.BrokerAnsweredAsync(outage.Outage, cancel.Token);
        var next = outage.NextAsync(cancel.Token).AsTask();
        Assert.False(next.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task A_batch_gets_one_result_per_event_in_order_and_a_refused_event_fails_alone()
    {
        var refused = Guid.NewGuid();
        var published = new List<Message<string, byte[]>>();
        _producer.Setup(p => p.Produce("events", It.IsAny<Message<string, byte[]>>(), It.IsAny<Action<DeliveryReport<string, byte[]>>>()))
            .Callback((string topic, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>> handler) =>
            {
                published.Add(message);
                var error = message.Key == refused.ToString() ? new Error(ErrorCode.MsgSizeTooLarge) : new Error(ErrorCode.NoError);
                handler(new DeliveryReport<string, byte[]> { Topic = topic, Message = message, Error = error });
            });
        var events = new[] { Guid.NewGuid(), refused, Guid.NewGuid() }.Select(id => (id, Json)).ToList();

        var results = await CreatePublisher().PublishBatchAsync(events, CancellationToken.None);

        Assert.Equal([PublishStatus.Acknowledged, PublishStatus.Failed, PublishStatus.Acknowledged], results.Select(r => r.Status));
        // Each message is keyed by its own eventId and carries the headers, as a single event does.
        Assert.Equal(events.Select(e => e.id.ToString()), published.Select(m => m.Key));
        Assert.All(published, m => Assert.Equal("1", Encoding.UTF8.GetString(m.Headers.GetLastBytes(EventHeaders.SchemaVersion))));
    }

    [Fact]
    public async Task An_empty_batch_has_no_results_and_reaches_neither_kafka_nor_the_circuit()
    {
        var results = await CreatePublisher().PublishBatchAsync([], CancellationToken.None);

        Assert.Empty(results);
        _producer.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Events_of_a_batch_without_a_report_within_the_publish_timeout_are_timed_out()
    {
        // Queued, never reported: librdkafka would report them after message.timeout.ms; the pipeline stops waiting first.
        _producer.Setup(p => p.Produce("events", It.IsAny<Message<string, byte[]>>(), It.IsAny<Action<DeliveryReport<string, byte[]>>>()));

        var results = await CreatePublisher().PublishBatchAsync([(Guid.NewGuid(), Json), (Guid.NewGuid(), Json)], CancellationToken.None);

        Assert.All(results, r => Assert.Equal(PublishStatus.TimedOut, r.Status));
    }
}
