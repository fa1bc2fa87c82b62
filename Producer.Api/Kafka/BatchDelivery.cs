using Confluent.Kafka;

namespace Producer.Api.Kafka;

/// <summary>
/// The delivery reports of one batch of messages, gathered as librdkafka delivers them (on the producer's poll
/// thread): complete once every message has its report, or has failed to be queued at all.
/// </summary>
internal sealed class BatchDelivery
{
    private readonly Error?[] _errors;
    private readonly bool[] _reported;
    private readonly (int Partition, long Offset)[] _positions;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;

    public BatchDelivery(int count)
    {
        _errors = new Error?[count];
        _reported = new bool[count];
        _positions = new (int, long)[count];
        _outstanding = count;
        if (count == 0)
        {
            _completion.SetResult();
        }
    }

    /// <summary>Completes when every message has a report.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The handler that librdkafka calls with message <paramref name="index"/>'s report.</summary>
    public Action<DeliveryReport<string, byte[]>> HandlerFor(int index) =>
        report => Report(index, report.Error, report.Partition.Value, report.Offset.Value);

    /// <summary>
    /// Message <paramref name="index"/>'s outcome: no error once acknowledged by every in-sync replica, then at
    /// <paramref name="partition"/> and <paramref name="offset"/>.
    /// </summary>
    public void Report(int index, Error error, int partition = -1, long offset = -1)
    {
        lock (_reported)
        {
            if (_reported[index])
            {
                return;
            }

            _reported[index] = true;
            _errors[index] = error.IsError ? error : null;
            _positions[index] = (partition, offset);
        }

        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>Whether message <paramref name="index"/> has a report, its error when it failed, and where it was written.</summary>
    public (bool Reported, Error? Error, (int Partition, long Offset) Position) Outcome(int index)
    {
        lock (_reported)
        {
            return (_reported[index], _errors[index], _positions[index]);
        }
    }

    /// <summary>
    /// True when there were messages, every one has a report, and every one of them failed: what the circuit breaker
    /// counts.
    /// </summary>
    public bool AllFailed
    {
        get
        {
            lock (_reported)
            {
                return _reported.Length > 0 && _reported.All(r => r) && _errors.All(e => e is not null);
            }
        }
    }
}
