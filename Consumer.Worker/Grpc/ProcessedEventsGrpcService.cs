using System.Text;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Google.Protobuf;
using Grpc.Core;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Consumer.Worker.Grpc;

/// <summary>Serves the store over gRPC: the whole list as a stream of pages, or one event by id.</summary>
internal sealed class ProcessedEventsGrpcService(IProcessedEventStore store, ServingState serving) : ProcessedEvents.ProcessedEventsBase
{
    private const int DefaultPageSize = 1000;
    private const int MaxPageSize = 5000;

    public override async Task ListProcessedEvents(
        ListProcessedEventsRequest request,
        IServerStreamWriter<ProcessedEventPage> responseStream,
        ServerCallContext context)
    {
        var pageSize = request.PageSize is > 0 and <= MaxPageSize ? request.PageSize : DefaultPageSize;
        // The answer is the store as it was when the call began, for the partitions served then: events stored
        // meanwhile wait for the next call, so a client never sees a list that grows while it reads, and the
        // ownership on the first page says exactly what the stream covers.
        var filter = ListFilter.From(request);
        var (served, events) = ServedEvents();
        var page = new ProcessedEventPage { Ownership = ToOwnership(served) };
        var sent = false;
        foreach (var stored in filter.Apply(events))
        {
            page.Events.Add(request.JsonOnly ? ToJsonMessage(stored) : ToMessage(stored));
            if (page.Events.Count == pageSize)
            {
                await responseStream.WriteAsync(page, context.CancellationToken);
                page = new ProcessedEventPage();
                sent = true;
            }
        }

        if (page.Events.Count > 0 || !sent)
        {
            await responseStream.WriteAsync(page, context.CancellationToken);
        }
    }

    public override Task<Ownership> GetOwnership(GetOwnershipRequest request, ServerCallContext context) =>
        Task.FromResult(ToOwnership(serving.Current));

    public override Task<ProcessedEvent> GetProcessedEvent(GetProcessedEventRequest request, ServerCallContext context)
    {
        if (!Guid.TryParseExact(request.EventId, "D", out var eventId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "event_id must be a UUID."));
        }

        // Any event in the store was processed (read back events were processed before), whatever its partition's
        // phase: served, rebuilding, catching up, or kept after a loss. A processed event stays processed.
        if (store.TryGet(eventId, out var processed))
        {
            return Task.FromResult(ToMessage(processed!));
        }

        // Read after the store: a partition revoked meanwhile is no longer served in this snapshot (the lifecycle
        // publishes before it drops the events), so "not processed" is said only while the partition was served.
        var current = serving.Current;
        if (!request.HasPartition || current.Serves(request.Partition))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Event {eventId} has not been processed."));
        }

        var phase = current.Find(request.Partition)?.Phase;
        throw new RpcException(new Status(
            StatusCode.FailedPrecondition,
            $"Partition {request.Partition} is not served by this worker ({(phase is { } known ? known.ToString() : "not owned")}); whether event {eventId} was processed cannot be told here."));
    }

    /// <summary>
    /// The served partitions and their events, taken together: the lifecycle publishes a new snapshot before it drops a
    /// revoked partition's events, so when the snapshot is the same after the store's was taken, no served partition
    /// had been dropped yet.
    /// </summary>
    private (ServingSnapshot Served, IEnumerable<StoredEvent> Events) ServedEvents()
    {
        while (true)
        {
            var before = serving.Current;
            var events = store.Snapshot(before.Served);
            if (ReferenceEquals(before, serving.Current))
            {
                return (before, events);
            }
        }
    }

    private static Ownership ToOwnership(ServingSnapshot current) => new()
    {
        Partitions = { current.Served },
        Rebuilding = { current.NotServedYet },
        Kept = { current.Kept },
        Generation = current.Generation,
        Worker = $"{Environment.MachineName}/{Environment.ProcessId}",
    };

    internal static ProcessedEvent ToMessage(StoredEvent stored) => new()
    {
        EventId = stored.EventId.ToString(),
        UserId = stored.UserId,
        EventType = stored.EventType.ToWireName(),
        Timestamp = EventTimestamps.Format(stored.Timestamp),
        PayloadJson = Encoding.UTF8.GetString(stored.Payload()),
        Json = UnsafeByteOperations.UnsafeWrap(stored.Json),
        Partition = stored.Partition,
        Offset = stored.Offset,
    };

    /// <summary>
    /// The document only, with where it was read: what the API copies into its JSON array. The stored bytes are
    /// wrapped, not copied; the store never changes them.
    /// </summary>
    private static ProcessedEvent ToJsonMessage(StoredEvent stored) => new()
    {
        Json = UnsafeByteOperations.UnsafeWrap(stored.Json),
        Partition = stored.Partition,
        Offset = stored.Offset,
    };
}
