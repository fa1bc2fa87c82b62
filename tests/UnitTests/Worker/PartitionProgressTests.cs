using Consumer.Worker.Consuming;

namespace UnitTests.Worker;

/// <summary>
/// Reads that wait for a partition's offset: woken by the consume loop's progress, released when the partition leaves
/// the worker, never left asleep by a race with the loop, and free for the loop while nobody waits.
/// </summary>
public sealed class PartitionProgressTests
{
    [Fact]
    public async Task A_wait_for_an_offset_already_reached_ends_at_once()
    {
        var progress = new PartitionProgress(10);

        var wait = progress.WaitAsync(10, TestContext.Current.CancellationToken);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
        Assert.Equal(0, progress.Waiting);
    }

    [Fact]
    public async Task A_wait_ends_when_the_loop_reaches_its_offset_and_not_before()
    {
        var progress = new PartitionProgress(0);
        var wait = progress.WaitAsync(5, TestContext.Current.CancellationToken);

        progress.Advance(4);
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, progress.Waiting);

        progress.Advance(5);
        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
        Assert.Equal(0, progress.Waiting);
    }

    [Fact]
    public async Task Each_wait_ends_at_its_own_offset()
    {
        var progress = new PartitionProgress(0);
        var late = progress.WaitAsync(30, TestContext.Current.CancellationToken);
        var early = progress.WaitAsync(10, TestContext.Current.CancellationToken);
        var middle = progress.WaitAsync(20, TestContext.Current.CancellationToken);

        progress.Advance(15);
        Assert.Equal(WaitOutcome.Reached, await Ended(early));
        Assert.False(middle.IsCompleted);
        Assert.False(late.IsCompleted);

        progress.Advance(25);
        Assert.Equal(WaitOutcome.Reached, await Ended(middle));
        Assert.False(late.IsCompleted);

        progress.Advance(30);
        Assert.Equal(WaitOutcome.Reached, await Ended(late));
    }

    [Fact]
    public async Task A_released_partition_ends_every_wait_and_takes_no_new_one_until_it_is_reopened()
    {
        var progress = new PartitionProgress(0);
        var waiting = progress.WaitAsync(5, TestContext.Current.CancellationToken);

        progress.Release();

        Assert.Equal(WaitOutcome.Released, await Ended(waiting));
        Assert.Equal(WaitOutcome.Released, await Ended(progress.WaitAsync(5, TestContext.Current.CancellationToken)));
        Assert.Equal(0, progress.Waiting);

        progress.Reopen();
        var again = progress.WaitAsync(5, TestContext.Current.CancellationToken);
        Assert.False(again.IsCompleted);
        progress.Advance(5);
        Assert.Equal(WaitOutcome.Reached, await Ended(again));
    }

    [Fact]
    public async Task A_wait_whose_time_is_up_ends_as_timed_out_and_is_forgotten()
    {
        var progress = new PartitionProgress(0);
        using var deadline = new CancellationTokenSource();
        var wait = progress.WaitAsync(5, deadline.Token);

        await deadline.CancelAsync();

        Assert.Equal(WaitOutcome.TimedOut, await Ended(wait));
        Assert.Equal(0, progress.Waiting);
        // The loop goes on without waking anyone.
        progress.Advance(5);
        Assert.Equal(5, progress.Reached);
    }

    [Fact]
    public void Advancing_while_nobody_waits_allocates_nothing()
    {
        var progress = new PartitionProgress(0);
        progress.Advance(1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var next = 2; next < 100_000; next++)
        {
            progress.Advance(next);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public async Task Advancing_past_a_timed_out_wait_allocates_nothing()
    {
        var progress = new PartitionProgress(0);
        using (var deadline = new CancellationTokenSource())
        {
            var wait = progress.WaitAsync(50, deadline.Token);
            await deadline.CancelAsync();
            Assert.Equal(WaitOutcome.TimedOut, await Ended(wait));
        }

        progress.Advance(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var next = 2; next < 10_000; next++)
        {
            progress.Advance(next);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public async Task Reads_that_register_while_the_loop_moves_past_their_offset_are_all_woken()
    {
        // The race a wake-up can be lost in: a read checks the offset (not reached), the loop reaches it and looks for
        // waiters (none yet), then the read registers. Two threads meet at a barrier, then one advances a fresh
        // partition to offset 1 while the other waits for it, round after round: the loop's advance is its last, so a
        // read left asleep would wait for ever (the guard below fails the test).
        const int rounds = 20_000;
        var partitions = Enumerable.Range(0, rounds).Select(_ => new PartitionProgress(0)).ToArray();
        var waits = new Task<WaitOutcome>[rounds];
        using var meet = new Barrier(2);
        var loop = new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                meet.SignalAndWait();
                // Every skew between the two threads, round by round, so that some rounds hit the window.
                Thread.SpinWait(round % 40);
                partitions[round].Advance(1);
            }
        });
        var reads = new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                meet.SignalAndWait();
                Thread.SpinWait(round / 40 % 40);
                waits[round] = partitions[round].WaitAsync(1, CancellationToken.None);
            }
        });
        loop.Start();
        reads.Start();
        loop.Join();
        reads.Join();

        var outcomes = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.All(outcomes, outcome => Assert.Equal(WaitOutcome.Reached, outcome));
        Assert.All(partitions, progress => Assert.Equal(0, progress.Waiting));
    }

    /// <summary>The wait's end; a guard against a test that would otherwise hang for ever, not a time limit.</summary>
    private static Task<WaitOutcome> Ended(Task<WaitOutcome> wait) => wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
}
