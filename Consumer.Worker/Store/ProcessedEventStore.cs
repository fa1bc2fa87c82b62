using System.Collections.Concurrent;

namespace Consumer.Worker.Store;

/// <summary>
/// In-memory and idempotent: the dictionary's atomic TryAdd decides which delivery of an eventId wins, so
/// concurrent and repeated deliveries leave exactly one entry. The list keeps processing order for queries.
/// </summary>
public sealed class ProcessedEventStore : IProcessedEventStore
{
    private readonly ConcurrentDictionary<Guid, StoredEvent> _byId = new();
    private readonly List<StoredEvent> _inOrder = [];
    private readonly Lock _orderGate = new();

    public int Count
    {
        get
        {
            lock (_orderGate)
            {
                return _inOrder.Count;
            }
        }
    }

    public bool TryAdd(StoredEvent processed)
    {
        ArgumentNullException.ThrowIfNull(processed);
        if (!_byId.TryAdd(processed.EventId, processed))
        {
            return false;
        }

        lock (_orderGate)
        {
            _inOrder.Add(processed);
        }

        return true;
    }

    public bool TryGet(Guid eventId, out StoredEvent? processed) => _byId.TryGetValue(eventId, out processed);

    public int CopyTo(int start, Span<StoredEvent> destination)
    {
        lock (_orderGate)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(start);
            var count = Math.Clamp(_inOrder.Count - start, 0, destination.Length);
            if (count == 0)
            {
                return 0;
            }

            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_inOrder).Slice(start, count).CopyTo(destination);
            return count;
        }
    }
}
