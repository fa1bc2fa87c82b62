using System.Threading.Channels;
using Confluent.Kafka;
using Polly.CircuitBreaker;

namespace Producer.Api.Publishing;

/// <summary>
/// What the producer knows about an outage, for the publish circuit: librdkafka reports through its error callback
/// when every broker it knows is down (Local_AllBrokersDown). The circuit breaker's own rule (half the calls failing,
/// at least 10 in 10 s) never opens for a lone client; this report does, at any traffic level.
/// </summary>
internal sealed class AllBrokersDown
{
    private readonly Channel<Error> _reports = Channel.CreateBounded<Error>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Isolates the publish circuit while every broker is down; see <see cref="AllBrokersDownBreaker"/>.</summary>
    public CircuitBreakerManualControl Circuit { get; } = new();

    /// <summary>The producer's error callback: every error passes, only an all-brokers-down report is kept.</summary>
    public void OnProducerError(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            // One pending report is enough: the breaker isolates on it and then probes until a broker answers.
            _reports.Writer.TryWrite(error);
        }
    }

    /// <summary>Waits for the next report that every broker is down.</summary>
    public ValueTask<Error> NextAsync(CancellationToken cancellationToken) => _reports.Reader.ReadAsync(cancellationToken);

    /// <summary>Forgets reports that arrived while a broker was already being probed: they are about that outage.</summary>
    public void DropPending()
    {
        while (_reports.Reader.TryRead(out _))
        {
        }
    }
}
