using Consumer.Worker.Store;
using Shared.Contracts.Events;

namespace UnitTests.Worker;

public sealed class ProcessedEventStoreTests
{
    private static StoredEvent Event(Guid id, int partition = 0, long offset = 0) =>
        new(id, "u", EventType.Login, DateTimeOffset.UnixEpoch, "{}"u8.ToArray(), partition, offset);

    [Fact]
    public async Task Concurrent_deliveries_of_the_same_events_leave_exactly_one_entry_each()
    {
        var store = new ProcessedEventStore();
        var ids = Enumerable.Range(0, 2000).Select(_ => Guid.NewGuid()).ToArray();
        var wins = 0;
        using var start = new ManualResetEventSlim();

        var deliverers = Enumerable.Range(0, 8).Select(copy => Task.Run(() =>
        {
            start.Wait();
            foreach (var id in ids)
            {
                if (store.TryAdd(Event(id, offset: copy)))
                {
                    Interlocked.Increment(ref wins);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(deliverers);

        Assert.Equal(ids.Length, wins);
        Assert.Equal(ids.Length, store.Count);
        Assert.Equal(ids.Order(), store.Snapshot().Select(e => e.EventId).Order());
    }

    [Fact]
    public void A_repeated_event_keeps_the_first_copy()
    {
        var store = new ProcessedEventStore();
        var id = Guid.NewGuid();

        Assert.True(store.TryAdd(Event(id, offset: 1)));
        Assert.False(store.TryAdd(Event(id, offset: 2)));

        Assert.True(store.TryGet(id, out var kept));
        Assert.Equal(1, kept!.Offset);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void A_snapshot_lists_events_in_processing_order_across_partitions()
    {
        var store = new ProcessedEventStore();
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            store.TryAdd(Event(ids[i], partition: (i * 7) % 3, offset: i));
        }

        Assert.Equal(ids, store.Snapshot().Select(e => e.EventId));
    }

    [Fact]
    public void A_snapshot_does_not_grow_with_events_added_after_it_was_taken()
    {
        var store = new ProcessedEventStore();
        store.TryAdd(Event(Guid.NewGuid(), partition: 0));
        store.TryAdd(Event(Guid.NewGuid(), partition: 1));

        using var snapshot = store.Snapshot().GetEnumerator();
        for (var i = 0; i < 10_000; i++)
        {
            store.TryAdd(Event(Guid.NewGuid(), partition: i % 2));
        }

        var seen = 0;
        while (snapshot.MoveNext())
        {
            seen++;
        }

        Assert.Equal(2, seen);
    }

    [Fact]
    public void Dropping_a_partition_removes_its_events_from_lookups_and_lists_and_lets_them_be_stored_again()
    {
        var store = new ProcessedEventStore();
        var kept = Guid.NewGuid();
        var dropped = Guid.NewGuid();
        store.TryAdd(Event(kept, partition: 0));
        store.TryAdd(Event(dropped, partition: 1));
        var before = store.Snapshot().ToList();

        store.DropPartition(1);

        Assert.False(store.TryGet(dropped, out _));
        Assert.True(store.TryGet(kept, out _));
        Assert.Equal([kept], store.Snapshot().Select(e => e.EventId));
        Assert.Equal(1, store.Count);
        Assert.Equal(2, before.Count);
        Assert.True(store.TryAdd(Event(dropped, partition: 1)));
    }

    [Fact]
    public void A_store_holds_far_more_events_than_one_log_chunk_in_order()
    {
        var store = new ProcessedEventStore();
        var ids = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            store.TryAdd(Event(id));
        }

        Assert.Equal(ids, store.Snapshot().Select(e => e.EventId));
    }

    [Fact]
    public void An_unknown_id_is_not_found()
    {
        Assert.False(new ProcessedEventStore().TryGet(Guid.NewGuid(), out _));
    }
}
