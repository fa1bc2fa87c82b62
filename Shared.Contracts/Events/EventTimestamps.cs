using System.Globalization;

namespace Shared.Contracts.Events;

/// <summary>The one text form of an event's timestamp: ISO 8601, UTC, with a Z and no trailing zero digits.</summary>
public static class EventTimestamps
{
    public static string Format(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
