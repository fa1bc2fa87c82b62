using Consumer.Worker.Consuming;
using Consumer.Worker.Grpc;
using Consumer.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Shared.Hosting;
using Shared.Hosting.Kafka;
using Shared.Hosting.Telemetry;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace UnitTests.Worker;

/// <summary>
/// The owner of a partition's life, called directly as the consume loop and librdkafka's rebalance handlers call it:
/// assignment, rebuild, catch-up, revocation, loss and the return of a lost partition, and the gaps in the offsets.
/// </summary>
public sealed class PartitionLifecycleTests
{
    private readonly ServingState _serving = new();
    private readonly ProcessedEventStore _store = new();
    private readonly FakePartitionLog _log = new();
    private readonly ConsumerMetrics _metrics;
    private readonly EventMessageHandler _handler;
    private readonly PartitionLifecycle _lifecycle;
    private readonly FakeTimeProvider _time = new();

    public PartitionLifecycleTests()
    {
        _metrics = Metrics(_store, _serving);
        _handler = new EventMessageHandler(_store, NullLogger<EventMessageHandler>.Instance);
        _lifecycle = new PartitionLifecycle(_serving, _store, _metrics, _time, NullLogger<PartitionLifecycle>.Instance);
    }

    private ServingSnapshot Current => _serving.Current;

    [Fact]
    public void A_worker_is_not_ready_before_it_joins_nor_while_a_partition_is_being_rebuilt()
    {
        _lifecycle.Started();
        Assert.False(Current.IsReady);

        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _log.Partition(1, committed: 100, logStart: 0, end: 100);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 1));

        Assert.True(Current.IsJoined);
        Assert.False(Current.IsReady);
        Assert.Equal([1], Current.Rebuilding);
    }

    [Fact]
    public void Messages_below_the_committed_offset_are_rebuilt_and_the_rebuild_ends_when_the_position_reaches_it()
    {
        _lifecycle.Started();
        _log.Partition(1, committed: 100, logStart: 0, end: 100);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(1));

        Assert.True(IsReplay(1, 99));
        Assert.False(IsReplay(1, 100));
        Assert.False(IsReplay(0, 5));

        _log.Positions[1] = 99;
        _lifecycle.OnIdle(_log.Consumer);
        Assert.False(Current.IsReady);
        _log.Positions[1] = 100;
        _lifecycle.OnIdle(_log.Consumer);

        Assert.True(Current.IsReady);
        Assert.False(IsReplay(1, 50));
    }

    [Fact]
    public void A_revoked_partition_stops_being_rebuilt_and_owned()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: 10, logStart: 0, end: 10);
        _log.Partition(2, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 2));

        _lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(0));

        Assert.Equal([2], Current.Owned);
        Assert.True(Current.IsReady);
    }

    [Fact]
    public void An_empty_assignment_is_joined_and_ready_with_more_workers_than_partitions()
    {
        _lifecycle.Started();
        _lifecycle.OnAssigned(_log.Consumer, []);

        Assert.True(Current.IsReady);
        Assert.Empty(Current.Owned);
    }

    [Fact]
    public void A_stopped_loop_is_not_ready()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));

        _lifecycle.Stopped();

        Assert.False(Current.IsJoined);
        Assert.False(Current.IsReady);
    }

    [Fact]
    public void A_partition_is_served_only_once_read_up_to_its_end_as_of_the_assignment_not_as_soon_as_it_reaches_the_committed_offset()
    {
        // A previous owner processed up to 15 but committed only 10, then died: 10 to 14 are in no store now.
        _lifecycle.Started();
        _log.Partition(0, committed: 10, logStart: 0, end: 15);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));

        Assert.Equal(Enumerable.Repeat(true, 10), Read(0, from: 0, to: 10));
        Assert.Equal([0], Current.CatchingUp);
        Assert.False(Current.IsReady);
        Assert.Empty(Current.Served);

        Assert.Equal(Enumerable.Repeat(false, 5), Read(0, from: 10, to: 15));
        Assert.Equal([0], Current.Served);
        Assert.True(Current.IsReady);
        // Offsets are stored for processed messages only, each after its event is in the store: the batch's last when
        // the loop is idle.
        _lifecycle.OnIdle(_log.Consumer);
        Assert.Equal([(0, 15L)], _log.Stored);
    }

    [Fact]
    public void Offsets_are_stored_once_a_partition_per_interval_not_once_a_message()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _log.Partition(1, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 1));

        Read(0, from: 0, to: 100);
        Read(1, from: 0, to: 50);
        Assert.Empty(_log.Stored);

        // The interval has passed: the next message settled stores what waits in every partition, its own included.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Read(0, from: 100, to: 101);
        Assert.Equal(["store 0@101", "store 1@50"], _log.Calls);

        Read(1, from: 50, to: 60);
        _lifecycle.OnIdle(_log.Consumer);
        Assert.Equal(["store 0@101", "store 1@50", "store 1@60"], _log.Calls);
    }

    [Fact]
    public void A_revocation_stores_what_was_processed_before_it_commits()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        Read(0, from: 0, to: 7);

        _lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(0));

        Assert.Equal(["store 0@7", "commit"], _log.Calls);
    }

    [Fact]
    public void A_lost_partition_has_nothing_stored_after_the_loss()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        Read(0, from: 0, to: 7);

        _lifecycle.OnLost(_log.Consumer, FakePartitionLog.Offsets(0));
        _lifecycle.OnIdle(_log.Consumer);

        Assert.Empty(_log.Stored);
    }

    [Fact]
    public void A_partition_with_nothing_to_read_is_served_at_once_and_one_with_nothing_committed_catches_up_to_its_end()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: 40, logStart: 0, end: 40);
        _log.Partition(1, committed: null, logStart: 0, end: 0);
        _log.Partition(2, committed: null, logStart: 0, end: 3);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 1, 2));

        Assert.Equal([0], Current.Rebuilding);
        Assert.Equal([1], Current.Served);
        Assert.Equal([2], Current.CatchingUp);

        Read(2, from: 0, to: 3);
        Assert.Equal([1, 2], Current.Served);
    }

    [Fact]
    public void Progress_is_published_without_a_new_snapshot_per_message()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        var snapshot = Current;

        Read(0, from: 0, to: 100);

        Assert.Same(snapshot, Current);
        Assert.Equal(100, Current.Find(0)!.Progress.Reached);
    }

    [Fact]
    public void When_the_end_cannot_be_asked_for_at_the_assignment_the_partition_waits_for_the_end_librdkafka_learns_from_its_fetches()
    {
        _lifecycle.Started();
        _log.EndsUnknown = true;
        _log.Partition(0, committed: null, logStart: 0, end: 5);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));

        Read(0, from: 0, to: 5);
        Assert.Equal([0], Current.CatchingUp);

        _log.CachedEnds = true;
        _log.Positions[0] = 5;
        _lifecycle.OnIdle(_log.Consumer);
        Assert.Equal([0], Current.Served);
    }

    [Fact]
    public void A_lost_partition_keeps_its_events_for_lookups_but_is_neither_owned_nor_served_and_the_worker_is_not_ready()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _log.Partition(1, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 1));
        Read(0, from: 0, to: 20);
        var stored = _store.Count;

        _lifecycle.OnLost(_log.Consumer, FakePartitionLog.Offsets(0, 1));

        Assert.Equal([0, 1], Current.Kept);
        Assert.Empty(Current.Owned);
        Assert.Empty(Current.Served);
        Assert.False(Current.IsJoined);
        Assert.False(Current.IsReady);
        Assert.Equal(20, stored);
        Assert.Equal(stored, _store.Count);
        Assert.Empty(_log.Committed);
    }

    [Fact]
    public void A_message_of_a_lost_partition_still_on_its_way_does_not_make_it_served_again()
    {
        LoseAfterReading(0, events: 20);

        Read(0, from: 20, to: 21);

        Assert.Equal([0], Current.Kept);
        Assert.Empty(Current.Served);
        Assert.False(Current.IsReady);
    }

    [Fact]
    public void A_lost_partition_given_back_resumes_after_its_kept_events_without_a_rebuild_and_commits_what_it_had_processed()
    {
        LoseAfterReading(0, events: 20);

        // Auto-commit had sent 15 before the outage; 15 to 19 were processed and stored, not committed.
        var starts = GiveBack(0, committed: 15, end: 25);

        Assert.Equal(20, Assert.Single(starts).Offset.Value);
        Assert.Equal([(0, 20L)], _log.Committed);
        Assert.Equal(20, _store.Count);
        Assert.Equal([0], Current.CatchingUp);
        Assert.Empty(Current.Kept);

        Assert.Equal(Enumerable.Repeat(false, 5), Read(0, from: 20, to: 25));
        Assert.Equal([0], Current.Served);
        Assert.Equal(25, _store.Count);
    }

    [Fact]
    public void A_lost_partition_given_back_after_another_member_moved_on_reads_what_that_member_processed_back_without_processing_it_again()
    {
        LoseAfterReading(0, events: 20);

        var starts = GiveBack(0, committed: 30, end: 40);

        Assert.Equal(20, Assert.Single(starts).Offset.Value);
        Assert.Empty(_log.Committed);
        Assert.Equal(Enumerable.Repeat(true, 10), Read(0, from: 20, to: 30));
        Assert.Equal(Enumerable.Repeat(false, 10), Read(0, from: 30, to: 40));
        Assert.Equal([0], Current.Served);
        Assert.Equal(40, _store.Count);
    }

    [Fact]
    public void Kept_events_are_dropped_and_the_partition_rebuilt_when_its_log_now_ends_below_them()
    {
        LoseAfterReading(0, events: 20);

        // The topic was deleted and created again: a new log with fewer messages.
        var starts = GiveBack(0, committed: null, end: 5);

        Assert.Equal(Confluent.Kafka.Offset.Beginning, Assert.Single(starts).Offset);
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, Current.Find(0)!.Progress.Reached);
    }

    [Fact]
    public void Kept_events_of_partitions_the_group_assigns_elsewhere_are_dropped_at_the_next_assignment()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        _log.Partition(1, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0, 1));
        Read(0, from: 0, to: 10);
        Read(1, from: 0, to: 10);
        _lifecycle.OnLost(_log.Consumer, FakePartitionLog.Offsets(0, 1));

        _log.Partition(1, committed: 10, logStart: 0, end: 10);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(1));

        Assert.Empty(Current.Kept);
        Assert.Equal([1], Current.Served);
        Assert.Equal(10, _store.Count);
        Assert.All(_store.Snapshot(), e => Assert.Equal(1, e.Partition));
    }

    [Fact]
    public void A_revoked_partition_is_unpublished_before_its_events_are_dropped_so_no_reader_sees_it_served_and_empty()
    {
        var store = new Mock<IProcessedEventStore>();
        var servedWhenDropped = new List<bool>();
        store.Setup(s => s.DropPartition(It.IsAny<int>())).Callback((int p) => servedWhenDropped.Add(_serving.Current.Serves(p)));
        var lifecycle = new PartitionLifecycle(_serving, store.Object, Metrics(store.Object, _serving), _time, NullLogger<PartitionLifecycle>.Instance);
        lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 0);
        lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        Assert.Equal([0], Current.Served);
        servedWhenDropped.Clear();

        lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(0));

        Assert.Equal([false], servedWhenDropped);
    }

    [Fact]
    public void A_gap_whose_expected_offset_retention_deleted_is_counted_as_lost()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: 10, logStart: 0, end: 600);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        Read(0, from: 0, to: 10);

        _log.Partition(0, committed: 10, logStart: 500, end: 600);
        Read(0, from: 500, to: 501);

        Assert.Equal(490, _metrics.LostToRetention(0));
    }

    [Fact]
    public void Consecutive_offsets_from_the_committed_one_are_no_gap()
    {
        Assign(0, committed: 10);

        Assert.Null(_lifecycle.GapBefore(0, 10));
        Assert.Null(_lifecycle.GapBefore(0, 11));
        Assert.Null(_lifecycle.GapBefore(0, 12));
    }

    [Fact]
    public void A_message_beyond_the_expected_offset_is_a_gap_that_names_the_expected_offset_once()
    {
        Assign(0, committed: 10);

        Assert.Equal(10, _lifecycle.GapBefore(0, 500));
        Assert.Null(_lifecycle.GapBefore(0, 501));
        Assert.Equal(502, _lifecycle.GapBefore(0, 900));
    }

    [Fact]
    public void Messages_read_back_below_the_committed_offset_to_rebuild_the_store_are_no_gap_and_keep_the_expected_offset()
    {
        Assign(0, committed: 100);

        Assert.Null(_lifecycle.GapBefore(0, 40));
        Assert.Null(_lifecycle.GapBefore(0, 41));
        Assert.Equal(100, _lifecycle.GapBefore(0, 150));
    }

    [Fact]
    public void A_partition_the_group_never_committed_has_no_gap_wherever_it_starts()
    {
        Assign(0, committed: null);

        Assert.Null(_lifecycle.GapBefore(0, 70_000));
        Assert.Null(_lifecycle.GapBefore(0, 70_001));
        Assert.Equal(70_002, _lifecycle.GapBefore(0, 70_010));
    }

    [Fact]
    public void Partitions_are_tracked_apart_and_a_revoked_one_is_forgotten()
    {
        Assign(0, committed: 5);
        Assign(1, committed: 50);
        _lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(1));

        Assert.Equal(5, _lifecycle.GapBefore(0, 9));
        Assert.Null(_lifecycle.GapBefore(1, 60));
    }

    [Theory]
    [InlineData(10, 500, 500, 490)] // the consumer jumped to the new log start: everything in between is lost
    [InlineData(10, 500, 800, 490)] // the log start moved on past the message since: only up to the message is lost
    [InlineData(10, 500, 200, 190)] // lost up to the log start; the rest of the gap is compaction or markers
    [InlineData(10, 12, 0, 0)] // the expected offset is still in the log: a transaction marker or a compacted record
    [InlineData(10, 12, 10, 0)] // the log start is the expected offset itself: nothing was deleted that was expected
    public void Only_the_part_of_a_gap_below_the_log_start_is_lost_to_retention(long expected, long offset, long logStart, long lost) =>
        Assert.Equal(lost, PartitionLifecycle.LostToRetention(expected, offset, logStart));

    [Fact]
    public async Task A_read_waiting_on_a_revoked_partition_is_released_once_the_partition_is_no_longer_published_as_served()
    {
        Serve(0);
        Read(0, from: 0, to: 10);
        var progress = Current.Find(0)!.Progress;
        var wait = progress.WaitAsync(20, TestContext.Current.CancellationToken);

        _lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(0));

        Assert.Equal(WaitOutcome.Released, await Ended(wait));
        Assert.Empty(Current.Served);
    }

    [Fact]
    public async Task A_read_waiting_on_a_lost_partition_is_released_and_one_waiting_after_it_is_given_back_is_woken()
    {
        LoseAfterReading(0, events: 10);
        var progress = Current.Find(0)!.Progress;
        Assert.Equal(WaitOutcome.Released, await Ended(progress.WaitAsync(12, TestContext.Current.CancellationToken)));

        GiveBack(0, committed: null, end: 10);
        var wait = progress.WaitAsync(12, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        Read(0, from: 10, to: 12);

        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
    }

    [Fact]
    public async Task A_stopping_loop_releases_every_waiting_read()
    {
        Serve(0);
        var wait = Current.Find(0)!.Progress.WaitAsync(5, TestContext.Current.CancellationToken);

        _lifecycle.Stopped();

        Assert.Equal(WaitOutcome.Released, await Ended(wait));
    }

    [Fact]
    public void The_end_a_partition_reports_is_its_end_at_the_assignment_then_what_the_consumer_last_fetched()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: null, logStart: 0, end: 40);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        Assert.Equal(40, Current.Find(0)!.Progress.End);

        _log.Partition(0, committed: null, logStart: 0, end: 55);
        _log.CachedEnds = true;
        _lifecycle.OnIdle(_log.Consumer);

        Assert.Equal(55, Current.Find(0)!.Progress.End);
    }

    [Fact]
    public async Task A_list_read_waits_until_the_partition_is_served_and_stored_past_the_offset_asked_for()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: 10, logStart: 0, end: 20);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));
        var waits = ReadWaits();

        var wait = OffsetWait.UntilAsync(_serving, new Dictionary<int, long> { [0] = 24 }, partitions: null, TimeSpan.FromMinutes(5), waits, TestContext.Current.CancellationToken);
        Read(0, from: 0, to: 20);
        Assert.Equal([0], Current.Served);
        Assert.False(wait.IsCompleted);
        Read(0, from: 20, to: 25);

        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
        Assert.Equal(1, waits.Total(WaitOutcome.Reached));
    }

    [Fact]
    public async Task A_list_read_waits_for_a_partition_being_rebuilt_to_be_served_even_without_an_offset_for_it()
    {
        _lifecycle.Started();
        _log.Partition(0, committed: 10, logStart: 0, end: 15);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(0));

        var wait = OffsetWait.UntilAsync(_serving, new Dictionary<int, long>(), partitions: null, TimeSpan.FromMinutes(5), ReadWaits(), TestContext.Current.CancellationToken);
        Read(0, from: 0, to: 14);
        Assert.False(wait.IsCompleted);
        Read(0, from: 14, to: 15);

        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
        Assert.Equal([0], Current.Served);
    }

    [Fact]
    public async Task A_read_does_not_wait_for_partitions_this_worker_does_not_own_nor_for_kept_ones()
    {
        LoseAfterReading(1, events: 3);

        var outcome = await Ended(OffsetWait.UntilAsync(_serving, new Dictionary<int, long> { [1] = 50, [2] = 7 }, partitions: null, TimeSpan.FromMinutes(5), ReadWaits(), TestContext.Current.CancellationToken));

        Assert.Equal(WaitOutcome.Reached, outcome);
    }

    [Fact]
    public async Task A_read_for_one_partition_waits_for_that_one_only()
    {
        Serve(0, 1);

        var wait = OffsetWait.UntilAsync(_serving, new Dictionary<int, long> { [0] = 4, [1] = 4 }, partitions: 1, TimeSpan.FromMinutes(5), ReadWaits(), TestContext.Current.CancellationToken);
        Read(1, from: 0, to: 5);

        Assert.Equal(WaitOutcome.Reached, await Ended(wait));
        Assert.Equal(0, Current.Find(0)!.Progress.Reached);
    }

    [Fact]
    public async Task A_read_whose_offset_is_not_stored_in_time_ends_timed_out()
    {
        Serve(0);
        var waits = ReadWaits();

        var outcome = await Ended(OffsetWait.UntilAsync(_serving, new Dictionary<int, long> { [0] = 4 }, partitions: null, TimeSpan.FromMilliseconds(20), waits, TestContext.Current.CancellationToken));

        Assert.Equal(WaitOutcome.TimedOut, outcome);
        Assert.Equal(1, waits.Total(WaitOutcome.TimedOut));
        Assert.Equal(0, Current.Find(0)!.Progress.Waiting);
    }

    [Fact]
    public async Task A_read_waiting_on_a_partition_that_is_revoked_ends_released_without_waiting_for_its_time()
    {
        Serve(0);
        var waits = ReadWaits();
        var wait = OffsetWait.UntilAsync(_serving, new Dictionary<int, long> { [0] = 4 }, partitions: null, TimeSpan.FromMinutes(5), waits, TestContext.Current.CancellationToken);

        _lifecycle.OnRevoked(_log.Consumer, FakePartitionLog.Offsets(0));

        Assert.Equal(WaitOutcome.Released, await Ended(wait));
        Assert.Equal(1, waits.Total(WaitOutcome.Released));
    }

    /// <summary>Started, and given these partitions with empty logs: served at once.</summary>
    private void Serve(params int[] partitions)
    {
        _lifecycle.Started();
        foreach (var partition in partitions)
        {
            _log.Partition(partition, committed: null, logStart: 0, end: 0);
        }

        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(partitions));
    }

    /// <summary>The wait's end; a guard against a test that would otherwise hang for ever, not a time limit.</summary>
    private static Task<WaitOutcome> Ended(Task<WaitOutcome> wait) => wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    private static ReadWaitMetrics ReadWaits() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private static ConsumerMetrics Metrics(IProcessedEventStore store, ServingState serving)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new ConsumerMetrics(
            meters,
            MsOptions.Create(new KafkaOptions { Topic = FakePartitionLog.Topic }),
            store,
            serving,
            new KafkaClientMetrics(meters, MsOptions.Create(new TelemetryOptions())));
    }

    /// <summary>The partition assigned with an empty log, then read as <paramref name="events"/> arrive, then lost.</summary>
    private void LoseAfterReading(int partition, long events)
    {
        _lifecycle.Started();
        _log.Partition(partition, committed: null, logStart: 0, end: 0);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(partition));
        Read(partition, from: 0, to: events);
        _lifecycle.OnLost(_log.Consumer, FakePartitionLog.Offsets(partition));
    }

    /// <summary>The group assigns the partition again, now with this committed offset and end; returns where reading starts.</summary>
    private List<Confluent.Kafka.TopicPartitionOffset> GiveBack(int partition, long? committed, long end)
    {
        _log.Partition(partition, committed, logStart: 0, end);
        return _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(partition));
    }

    private void Assign(int partition, long? committed)
    {
        _log.Partition(partition, committed, logStart: 0, end: 100_000);
        _lifecycle.OnAssigned(_log.Consumer, FakePartitionLog.Partitions(partition));
    }

    /// <summary>Asks whether the message is read back (not processed), as the loop does before it handles it.</summary>
    private bool IsReplay(int partition, long offset) => _lifecycle.OnMessage(_log.Consumer, FakePartitionLog.Message(partition, offset));

    /// <summary>Reads offsets [from, to) of the partition as the consume loop does; says which were read back.</summary>
    private List<bool> Read(int partition, long from, long to)
    {
        var replays = new List<bool>();
        for (var offset = from; offset < to; offset++)
        {
            var message = FakePartitionLog.Message(partition, offset);
            var replay = _lifecycle.OnMessage(_log.Consumer, message);
            _ = replay ? _handler.Replay(message) : _handler.Handle(message);
            _lifecycle.OnSettled(_log.Consumer, message, replay);
            replays.Add(replay);
        }

        return replays;
    }
}
