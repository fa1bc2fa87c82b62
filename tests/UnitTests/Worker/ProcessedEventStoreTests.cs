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
        var all = new StoredEvent[store.Count];
        store.CopyTo(0, all);
        Assert.Equal(ids.Order(), all.Select(e => e.EventId).Order());
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
    public void Pages_come_in_processing_order_and_stop_at_the_end()
    {
        var store = new ProcessedEventStore();
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            store.TryAdd(Event(id));
        }

        var page = new StoredEvent[3];
        Assert.Equal(3, store.CopyTo(0, page));
        Assert.Equal(ids[..3], page.Select(e => e.EventId));
        Assert.Equal(2, store.CopyTo(3, page));
        Assert.Equal(ids[3..], page[..2].Select(e => e.EventId));
        Assert.Equal(0, store.CopyTo(5, page));
        Assert.Equal(0, store.CopyTo(50, page));
    }

    [Fact]
    public void An_unknown_id_is_not_found()
    {
        Assert.False(new ProcessedEventStore().TryGet(Guid.NewGuid(), out _));
    }
}
