using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Producer.Api.Workers;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

/// <summary>
/// The filters and paging of GET /events/processed: userId, eventType, since, limit and cursor. The cursor is the
/// offset reached in each partition, so it stays valid across workers and rebalances: whichever worker serves a
/// partition next resumes it after that offset.
/// </summary>
internal sealed record ListQuery(string? UserId, string? EventType, DateTimeOffset? Since, int Limit, IReadOnlyDictionary<int, long> Cursor)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    private static readonly string[] Names = ["userId", "eventType", "since", "limit", "cursor"];

    /// <summary>True when the request asks for filters or paging; without them the answer is the plain list of everything.</summary>
    public static bool IsRequested(IQueryCollection query) => Names.Any(query.ContainsKey);

    public static bool TryParse(IQueryCollection query, out ListQuery parsed, out Dictionary<string, string[]> errors)
    {
        errors = [];
        string? userId = query["userId"];
        if (userId is not null && string.IsNullOrWhiteSpace(userId))
        {
            errors["userId"] = ["Must not be blank."];
        }

        string? eventType = query["eventType"];
        if (eventType is not null && !EventTypeNames.TryParse(eventType, out _))
        {
            errors["eventType"] = [$"Must be one of {EventTypeNames.AllowedList}."];
        }

        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) && HasOffset(sinceText))
            {
                since = value;
            }
            else
            {
                errors["since"] = ["Must be an ISO 8601 date and time with an offset, such as 2026-01-31T12:00:00Z."];
            }
        }

        var limit = DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"Must be a whole number from 1 to {MaxLimit}."];
        }

        var cursor = new Dictionary<int, long>();
        if (query["cursor"].ToString() is { Length: > 0 } cursorText && !TryDecode(cursorText, cursor))
        {
            errors["cursor"] = ["Is not a cursor this API gave out; start again without it."];
        }

        parsed = new ListQuery(userId, eventType, since, limit, cursor);
        return errors.Count == 0;
    }

    /// <summary>
    /// False when the cursor names a partition a topic of <paramref name="partitions"/> partitions does not have: no
    /// worker serves it, so the page would silently ignore it.
    /// </summary>
    public bool CursorFits(int partitions) => Cursor.Keys.All(partition => partition < partitions);

    public ListProcessedEventsRequest ToRequest()
    {
        var request = new ListProcessedEventsRequest
        {
            UserId = UserId ?? string.Empty,
            EventType = EventType ?? string.Empty,
            Since = Since?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
            Limit = Limit,
            JsonOnly = true,
            PageSize = WorkerPage.Size,
        };
        foreach (var (partition, offset) in Cursor)
        {
            request.AfterOffsets[partition] = offset;
        }

        return request;
    }

    /// <summary>The link to the page after one that reached these offsets.</summary>
    public string NextLink(string path, IReadOnlyDictionary<int, long> reached)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["userId"] = UserId,
            ["eventType"] = EventType,
            ["since"] = Since?.ToString("O", CultureInfo.InvariantCulture),
            ["limit"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["cursor"] = Encode(reached),
        };
        return QueryHelpers.AddQueryString(path, parameters.Where(p => p.Value is not null));
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static string Encode(IReadOnlyDictionary<int, long> reached) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(",", reached.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"))));

    private static bool TryDecode(string text, Dictionary<int, long> cursor)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            foreach (var part in decoded.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = part.Split(':');
                if (pair.Length != 2
                    || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                    || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                {
                    return false;
                }

                cursor[partition] = offset;
            }

            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
