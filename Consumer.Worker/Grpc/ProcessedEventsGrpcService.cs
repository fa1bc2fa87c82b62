using System.Text;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Google.Protobuf;
using Grpc.Core;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Consumer.Worker.Grpc;

/// <summary>Serves the store over gRPC: the whole list as a stream of pages, or one event by id.</summary>
internal sealed class ProcessedEventsGrpcService(IProcessedEventStore store, ConsumerState state) : ProcessedEvents.ProcessedEventsBase
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
        var ownership = CurrentOwnership();
        var filter = ListFilter.From(request);
        var page = new ProcessedEventPage { Ownership = ownership };
        var sent = false;
        foreach (var stored in filter.Apply(store.Snapshot(ownership.Partitions)))
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
        Task.FromResult(CurrentOwnership());

    private Ownership CurrentOwnership()
    {
        var (served, rebuilding, generation) = state.Ownership;
        return new Ownership
        {
            Partitions = { served },
            Rebuilding = { rebuilding },
            Generation = generation,
            Worker = $"{Environment.MachineName}/{Environment.ProcessId}",
        };
    }

    public override Task<ProcessedEvent> GetProcessedEvent(GetProcessedEventRequest request, ServerCallContext context)
    {
        if (!Guid.TryParseExact(request.EventId, "D", out var eventId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "event_id must be a UUID."));
        }

        // Only from a partition this worker serves: an event of a partition still being rebuilt, or about to be
        // dropped, is answered by the worker that serves it.
        return store.TryGet(eventId, out var processed) && state.Ownership.Served.Contains(processed!.Partition)
            ? Task.FromResult(ToMessage(processed))
            : throw new RpcException(new Status(StatusCode.NotFound, $"Event {eventId} has not been processed."));
    }

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
