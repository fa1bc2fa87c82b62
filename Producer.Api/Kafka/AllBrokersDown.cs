using System.Threading.Channels;
using Confluent.Kafka;
using Polly.CircuitBreaker;

namespace Producer.Api.Kafka;

/// <summary>
/// What the producer knows about an outage, for the publish circuit: librdkafka reports through its error callback
/// when every broker it knows is down (Local_AllBrokersDown), and any metadata answer through the producer's
/// connections shows that one is back. The circuit breaker's own rule (half the calls failing, at least 10 in 10 s)
/// never opens for a lone client; this report does, at any traffic level.
/// </summary>
internal sealed class AllBrokersDown(ILogger<AllBrokersDown> logger) : IDisposable
{
    private readonly Channel<Error> _reports = Channel.CreateBounded<Error>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Isolating and closing take turns, so the circuit's state and the flag below never disagree.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _outage;
    private bool _isolated;

    /// <summary>Isolated while every broker is down; the publish pipeline's circuit breaker is built with it.</summary>
    public CircuitBreakerManualControl Circuit { get; } = new();

    /// <summary>Counts the outages: a broker's answer to a request sent during this one shows it is over.</summary>
    public long Outage => Interlocked.Read(ref _outage);

    public bool IsIsolated => Volatile.Read(ref _isolated);

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

    public void Dispose() => _turn.Dispose();

    /// <summary>Waits for the next report that every broker is down.</summary>
    public ValueTask<Error> NextAsync(CancellationToken cancellationToken) => _reports.Reader.ReadAsync(cancellationToken);

    /// <summary>POST answers 503 at once, without trying Kafka, until <see cref="BrokerAnsweredAsync"/>.</summary>
    public async Task IsolateAsync(string reason, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _outage);
            Volatile.Write(ref _isolated, true);
            await Circuit.IsolateAsync(cancellationToken);
            logger.LogWarning("Every Kafka broker is down ({Reason}): POST answers 503 at once until one is back", reason);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// A broker answered a request through the producer's connections. If it was sent during the outage under way
    /// (<paramref name="askedDuring"/> is <see cref="Outage"/> as it was when the request was sent), the outage is over
    /// and the circuit closes; an answer to a request sent before the outage began says nothing about it.
    /// </summary>
    public async Task BrokerAnsweredAsync(long askedDuring, CancellationToken cancellationToken)
    {
        if (!IsIsolated || askedDuring != Outage)
        {
            return;
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            if (!IsIsolated || askedDuring != Outage)
            {
                return;
            }

            // Reports that arrived meanwhile were about this outage.
            while (_reports.Reader.TryRead(out _))
            {
            }

            await Circuit.CloseAsync(cancellationToken);
            Volatile.Write(ref _isolated, false);
            logger.LogInformation("A Kafka broker answers again: publishing resumes");
        }
        finally
        {
            _turn.Release();
        }
    }
}
