using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Producer.Api.Options;
using Producer.Api.Telemetry;

namespace Producer.Api.Kafka;

/// <summary>
/// The Polly pipeline around every publish: a circuit breaker alone. librdkafka already retries transient errors
/// within its delivery timeout (message.timeout.ms = PUBLISH_TIMEOUT_MS) and reports every message it was given exactly
/// once by then, so there is neither a retry nor a timeout here: what a single event waits is bounded by that, and a
/// batch stops waiting a second past the delivery timeout (a Polly timeout as well cost each
/// request about 1.5 KB of allocations and a timer, for a bound that never fired: bench/ablation). The circuit breaker
/// turns a known Kafka outage into a fast 503 instead of every request waiting out the full timeout. It opens two
/// ways: by hand (isolated) the moment the producer reports every broker down, whatever the traffic, until a broker
/// answers again (<see cref="AllBrokersDownBreaker"/>); and by its own rule, when half the publishes of at least 10 in
/// 10 s fail for any other reason (a broker that refuses, a leader that does not answer), for
/// PUBLISH_CIRCUIT_BREAK_SECONDS.
/// </summary>
/// <remarks>
/// The pipeline is typed by the producer's delivery result: an untyped one bridges every outcome to and from
/// <see cref="object"/>, three more state machines per request (about 500 bytes, bench/ablation). A batch runs through
/// the same pipeline, so that one breaker counts both; it has no single delivery result and returns null.
/// </remarks>
internal static class PublishPipeline
{
    public const string Name = "kafka-publish";

    public static IServiceCollection AddPublishPipeline(this IServiceCollection services)
    {
        services.AddResiliencePipeline<string, DeliveryResult<string, byte[]>?>(Name, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<ProducerApiOptions>>().Value;
            var handled = new PredicateBuilder<DeliveryResult<string, byte[]>?>().Handle<KafkaException>();
            pipeline
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryResult<string, byte[]>?>
                {
                    ShouldHandle = handled,
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakSeconds),
                    StateProvider = context.ServiceProvider.GetService<CircuitStates>()?.For(Name),
                    ManualControl = context.ServiceProvider.GetService<AllBrokersDown>()?.Circuit,
                });
        });
        return services;
    }
}
