using System.Text;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Google.Protobuf;
using Grpc.Core;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Consumer.Worker.Grpc;

/// <summary>
/// Serves the store over gRPC: the whole list as a stream of pages, or one event by id, each after waiting, when the
/// request carries offsets to reflect (read your writes), until the consume loop has stored them; and the status.
/// </summary>
internal sealed class ProcessedEventsGrpcService(IProcessedEventStore store, ServingState serving, ReadWaitMetrics waits)
    : ProcessedEvents.ProcessedEventsBase
{
    private static readonly string WorkerName = $"{Environment.MachineName}/{Environment.ProcessId}";

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
        if (request.WaitMs > 0)
        {
            // Whether or not the offsets were reached in time, the answer says what it reflects (ownership.reached):
            // the caller tells the difference, and can name the partitions that lag.
            await OffsetWait.UntilAsync(serving, request.MinOffsets, partitions: null, TimeSpan.FromMilliseconds(request.WaitMs), waits, context.CancellationToken);
        }

        var (served, reached, events) = ServedEvents();
        var page = new ProcessedEventPage { Ownership = ToOwnership(served, reached) };
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

    public override Task<Ownership> GetOwnership(GetOwnershipRequest request, ServerCallContext context)
    {
        var current = serving.Current;
        return Task.FromResult(ToOwnership(current, ReachedOf(current)));
    }

    public override async Task<ProcessedEvent> GetProcessedEvent(GetProcessedEventRequest request, ServerCallContext context)
    {
        if (!Guid.TryParseExact(request.EventId, "D", out var eventId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "event_id must be a UUID."));
        }

        if (request.HasMinOffset && !request.HasPartition)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "min_offset needs the event's partition."));
        }

        // Any event in the store was processed (read back events were processed before), whatever its partition's
        // phase: served, rebuilding, catching up, or kept after a loss. A processed event stays processed.
        if (store.TryGet(eventId, out var processed))
        {
            return ToMessage(processed!);
        }

        if (request.HasMinOffset && request.WaitMs > 0)
        {
            await OffsetWait.UntilAsync(
                serving,
                new Dictionary<int, long> { [request.Partition] = request.MinOffset },
                request.Partition,
                TimeSpan.FromMilliseconds(request.WaitMs),
                waits,
                context.CancellationToken);
        }

        // How far the partition was stored is read before the store is asked again: "not processed" must hold for
        // every offset below it, so an event stored after this read cannot make it a lie.
        var before = serving.Current.Find(request.HasPartition ? request.Partition : -1)?.Progress;
        var reached = before?.Reached ?? -1;
        if (store.TryGet(eventId, out processed))
        {
            return ToMessage(processed!);
        }

        // Read after the store: a partition revoked meanwhile is no longer served in this snapshot (the lifecycle
        // publishes before it drops the events), so "not processed" is said only while the partition was served, by
        // the same ownership whose progress was read.
        var current = serving.Current;
        if (!request.HasPartition)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Event {eventId} has not been processed."));
        }

        var view = current.Find(request.Partition);
        var serves = current.Serves(request.Partition) && ReferenceEquals(view?.Progress, before);
        if (serves && (!request.HasMinOffset || reached > request.MinOffset))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Event {eventId} has not been processed."));
        }

        throw new RpcException(new Status(
            StatusCode.FailedPrecondition,
            serves
                ? $"Partition {request.Partition} is stored up to offset {reached}, not past {request.MinOffset} yet; whether event {eventId} was processed by then cannot be told yet."
                : $"Partition {request.Partition} is not served by this worker ({(view?.Phase is { } known ? known.ToString() : "not owned")}); whether event {eventId} was processed cannot be told here."));
    }

    public override Task<WorkerStatus> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var current = serving.Current;
        var status = new WorkerStatus
        {
            Worker = WorkerName,
            Generation = current.Generation,
            Joined = current.IsJoined,
            Ready = current.IsReady,
        };
        foreach (var view in current.Partitions)
        {
            var reached = view.Progress.Reached;
            var end = view.Progress.End;
            status.Partitions.Add(new PartitionStatus
            {
                Partition = view.Partition,
                Phase = view.Phase switch
                {
                    PartitionPhase.Rebuilding => PartitionStatus.Types.Phase.Rebuilding,
                    PartitionPhase.CatchingUp => PartitionStatus.Types.Phase.CatchingUp,
                    PartitionPhase.Serving => PartitionStatus.Types.Phase.Serving,
                    _ => PartitionStatus.Types.Phase.Kept,
                },
                Reached = reached,
                RebuildUntil = view.RebuildUntil,
                EndAtAssignment = view.CatchUpTo,
                End = end,
                Lag = end >= 0 ? Math.Max(0, end - reached) : -1,
                WaitingReads = view.Progress.Waiting,
            });
        }

        return Task.FromResult(status);
    }

    /// <summary>
    /// The served partitions and their events, taken together: the lifecycle publishes a new snapshot before it drops a
    /// revoked partition's events, so when the snapshot is the same after the store's was taken, no served partition
    /// had been dropped yet.
    /// </summary>
    /// <remarks>
    /// The offsets reached are read before the store's snapshot is taken: every message below them is in it then, so
    /// the answer reflects at least those offsets (it may hold more).
    /// </remarks>
    private (ServingSnapshot Served, Dictionary<int, long> Reached, IEnumerable<StoredEvent> Events) ServedEvents()
    {
        while (true)
        {
            var before = serving.Current;
            var reached = ReachedOf(before);
            var events = store.Snapshot(before.Served);
            if (ReferenceEquals(before, serving.Current))
            {
                return (before, reached, events);
            }
        }
    }

    /// <summary>Per partition held, the offset reached now; partitions with nothing read yet are left out.</summary>
    private static Dictionary<int, long> ReachedOf(ServingSnapshot current)
    {
        var reached = new Dictionary<int, long>(current.Partitions.Count);
        foreach (var view in current.Partitions)
        {
            if (view.Progress.Reached > 0)
            {
                reached[view.Partition] = view.Progress.Reached;
            }
        }

        return reached;
    }

    private static Ownership ToOwnership(ServingSnapshot current, Dictionary<int, long> reached) => new()
    {
        Partitions = { current.Served },
        Rebuilding = { current.NotServedYet },
        Kept = { current.Kept },
        Generation = current.Generation,
        Worker = WorkerName,
        Reached = { reached },
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
