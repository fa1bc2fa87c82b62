using Consumer.Worker.Store;
using Grpc.Core;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Consumer.Worker.Grpc;

/// <summary>
/// The filters and the cursor of a list request. Within a partition the store is in offset order, so "after the
/// offset reached" resumes exactly where the previous page of that partition ended.
/// </summary>
internal sealed record ListFilter(
    string? UserId,
    EventType? EventType,
    DateTimeOffset? Since,
    int Limit,
    IReadOnlyDictionary<int, long> AfterOffsets)
{
    public static ListFilter From(ListProcessedEventsRequest request)
    {
        EventType? type = null;
        if (request.EventType.Length > 0)
        {
            type = EventTypeNames.TryParse(request.EventType, out var parsed)
                ? parsed
                : throw new RpcException(new Status(StatusCode.InvalidArgument, $"event_type must be one of {EventTypeNames.AllowedList}."));
        }

        DateTimeOffset? since = null;
        if (request.Since.Length > 0)
        {
            since = DateTimeOffset.TryParse(request.Since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
                ? parsed
                : throw new RpcException(new Status(StatusCode.InvalidArgument, "since must be an ISO 8601 date and time."));
        }

        return new ListFilter(
            request.UserId.Length > 0 ? request.UserId : null,
            type,
            since,
            Math.Max(request.Limit, 0),
            request.AfterOffsets);
    }

    public IEnumerable<StoredEvent> Apply(IEnumerable<StoredEvent> events)
    {
        var listed = 0;
        foreach (var stored in events)
        {
            if (Limit > 0 && listed == Limit)
            {
                yield break;
            }

            if ((AfterOffsets.TryGetValue(stored.Partition, out var after) && stored.Offset <= after)
                || (UserId is not null && stored.UserId != UserId)
                || (EventType is { } type && stored.EventType != type)
                || (Since is { } since && stored.Timestamp < since))
            {
                continue;
            }

            listed++;
            yield return stored;
        }
    }
}
