using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Producer.Api.Options;
using Producer.Api.Telemetry;

namespace Producer.Api.Kafka;

/// <summary>
/// The Polly pipeline around every publish. librdkafka already retries transient errors within its delivery
/// timeout, so there is no retry here: the timeout bounds what a caller waits, and the circuit breaker turns a
/// known Kafka outage into a fast 503 instead of every request waiting out the full timeout. It opens two ways: by
/// hand (isolated) the moment the producer reports every broker down, whatever the traffic, until a broker answers
/// again (<see cref="AllBrokersDownBreaker"/>); and by its own rule, when half the publishes of at least 10 in 10 s
/// fail for any other reason (a broker that refuses, a leader that does not answer), for PUBLISH_CIRCUIT_BREAK_SECONDS.
/// </summary>
internal static class PublishPipeline
{
    public const string Name = "kafka-publish";

    public static IServiceCollection AddPublishPipeline(this IServiceCollection services)
    {
        services.AddResiliencePipeline(Name, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<ProducerApiOptions>>().Value;
            var handled = new PredicateBuilder()
                .Handle<KafkaException>()
                .Handle<TimeoutRejectedException>();
            pipeline
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = handled,
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakSeconds),
                    StateProvider = context.ServiceProvider.GetService<CircuitStates>()?.For(Name),
                    ManualControl = context.ServiceProvider.GetService<AllBrokersDown>()?.Circuit,
                })
                // librdkafka gives up at message.timeout.ms (the same value); this outer bound only guards
                // against an acknowledgement that never comes back at all.
                .AddTimeout(options.PublishTimeout + TimeSpan.FromSeconds(1));
        });
        return services;
    }
}
