using Confluent.Kafka;
using Consumer.Worker.Consuming;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Hosting;

namespace UnitTests.Hosting;

/// <summary>
/// Every 201 rests on the API's producer waiting for every in-sync replica (acks=all) and never writing an event twice
/// on its own retries (idempotence); every dead letter that lets the worker move past a message rests on the same.
/// librdkafka's defaults are acks=all but no idempotence, so both are pinned here, in the configuration itself.
/// </summary>
public sealed class ProducerConfigTests
{
    private static readonly KafkaOptions Kafka = new() { BootstrapServers = "kafka:9092", Topic = "events" };

    [Fact]
    public void The_apis_producer_waits_for_every_in_sync_replica_and_is_idempotent()
    {
        var config = KafkaProducerRegistration.CreateConfig(Kafka, new ProducerApiOptions { PublishTimeoutMs = 4000 });

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        // The delivery timeout is the publish timeout: no 201 can come for a message the client was told 503 about.
        Assert.Equal(4000, config.MessageTimeoutMs);
        Assert.Equal("kafka:9092", config.BootstrapServers);
    }

    [Fact]
    public void The_apis_producer_lingers_two_milliseconds_unless_KAFKA_LINGER_MS_says_otherwise()
    {
        Assert.Equal(2, KafkaProducerRegistration.CreateConfig(Kafka, new ProducerApiOptions()).LingerMs);
        Assert.Equal(0.5, KafkaProducerRegistration.CreateConfig(Kafka, new ProducerApiOptions { LingerMs = 0.5 }).LingerMs);
    }

    [Fact]
    public void The_workers_dead_letter_producer_waits_for_every_in_sync_replica_and_is_idempotent()
    {
        var config = DeadLetterRegistration.CreateConfig(Kafka);

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal("kafka:9092", config.BootstrapServers);
    }
}
