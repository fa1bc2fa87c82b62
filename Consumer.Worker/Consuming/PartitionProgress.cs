namespace Consumer.Worker.Consuming;

/// <summary>
/// How far the worker has read one partition into its store: every message below <see cref="Reached"/> is settled
/// (stored, read back into the store, or dead-lettered). The consume thread alone writes it, once per message: no
/// lock, no allocation. Anyone may read it, and a read that must reflect an offset waits here until the consume loop
/// reports it (<see cref="WaitAsync"/>). One object lasts as long as the worker holds the partition's events, through
/// a loss and back, so whoever watches it sees one line of progress.
/// </summary>
/// <remarks>
/// The consume loop pays for waiters only while there are some. <see cref="Advance"/> publishes the offset with a full
/// fence and then reads the lowest offset waited for: long.MaxValue while nobody waits, so the per-message cost is an
/// interlocked write, a read and a comparison. A waiter publishes its target with a full fence and then reads the
/// offset reached; of the two, at least one sees the other's write (the store-load pairing both fences guarantee), so
/// a waiter whose offset is reached while it registers is never left asleep.
/// </remarks>
public sealed class PartitionProgress(long reached)
{
    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiters = [];
    private long _reached = reached;
    private long _lowestWaited = long.MaxValue;
    private long _end = -1;
    private bool _released;

    /// <summary>The offset after the last message settled: the next one the worker will read.</summary>
    public long Reached => Volatile.Read(ref _reached);

    /// <summary>The partition's end (high watermark) as the consumer last saw it; -1 while unknown.</summary>
    public long End => Volatile.Read(ref _end);

    /// <summary>Reads waiting now for an offset of this partition.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>
    /// Waits until every message below <paramref name="target"/> is settled. Returns at once when it is, or when the
    /// partition no longer belongs to this worker (<see cref="WaitOutcome.Released"/>); otherwise when the consume loop
    /// reaches it, the partition is revoked or lost, or <paramref name="cancellationToken"/> ends the wait
    /// (<see cref="WaitOutcome.TimedOut"/>).
    /// </summary>
    public async Task<WaitOutcome> WaitAsync(long target, CancellationToken cancellationToken)
    {
        if (Reached >= target)
        {
            return WaitOutcome.Reached;
        }

        var waiter = new Waiter(target);
        lock (_gate)
        {
            if (_released)
            {
                return WaitOutcome.Released;
            }

            _waiters.Add(waiter);
            // A full fence before Reached is read below: pairs with the one in Advance.
            Interlocked.Exchange(ref _lowestWaited, Math.Min(_lowestWaited, target));
        }

        // Reached may have moved between the first read and the registration, with Advance reading the old lowest.
        if (Reached >= target)
        {
            Remove(waiter, WaitOutcome.Reached);
        }

        await using (cancellationToken.Register(() => Remove(waiter, WaitOutcome.TimedOut)))
        {
            return await waiter.Outcome.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The one place the consume loop reports progress (after the store, before the next message): it wakes the reads
    /// waiting for an offset up to <paramref name="next"/>.
    /// </summary>
    internal void Advance(long next)
    {
        // A full fence, not a volatile write: the read of the lowest offset waited for must not come before it.
        Interlocked.Exchange(ref _reached, next);
        if (next >= Volatile.Read(ref _lowestWaited))
        {
            Wake(next);
        }
    }

    /// <summary>The partition's end as the consumer sees it now (written by the consume thread).</summary>
    internal void SeeEnd(long end)
    {
        if (end >= 0)
        {
            Volatile.Write(ref _end, end);
        }
    }

    /// <summary>
    /// The partition left this worker (revoked, lost, or the loop stopped): waiting reads are told at once, so they can
    /// ask the partition's next owner, and new ones are not taken until <see cref="Reopen"/>.
    /// </summary>
    internal void Release()
    {
        Waiter[] released;
        lock (_gate)
        {
            _released = true;
            released = [.. _waiters];
            _waiters.Clear();
            Volatile.Write(ref _lowestWaited, long.MaxValue);
        }

        foreach (var waiter in released)
        {
            waiter.Outcome.TrySetResult(WaitOutcome.Released);
        }
    }

    /// <summary>The group gave a kept partition back: its progress carries on, and reads may wait for it again.</summary>
    internal void Reopen()
    {
        lock (_gate)
        {
            _released = false;
        }
    }

    private void Wake(long next)
    {
        List<Waiter>? woken = null;
        lock (_gate)
        {
            var lowest = long.MaxValue;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.Target <= next)
                {
                    (woken ??= []).Add(waiter);
                    _waiters.RemoveAt(i);
                }
                else
                {
                    lowest = Math.Min(lowest, waiter.Target);
                }
            }

            Volatile.Write(ref _lowestWaited, lowest);
        }

        // Continuations run on the thread pool (RunContinuationsAsynchronously): the consume loop only hands them over.
        foreach (var waiter in woken ?? [])
        {
            waiter.Outcome.TrySetResult(WaitOutcome.Reached);
        }
    }

    private void Remove(Waiter waiter, WaitOutcome outcome)
    {
        lock (_gate)
        {
            if (_waiters.Remove(waiter))
            {
                var lowest = long.MaxValue;
                foreach (var other in _waiters)
                {
                    lowest = Math.Min(lowest, other.Target);
                }

                Volatile.Write(ref _lowestWaited, lowest);
            }
        }

        waiter.Outcome.TrySetResult(outcome);
    }

    private sealed class Waiter(long target)
    {
        public long Target { get; } = target;

        public TaskCompletionSource<WaitOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
