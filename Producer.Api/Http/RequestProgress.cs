using Microsoft.AspNetCore.Http.Features;

namespace Producer.Api.Http;

/// <summary>
/// How far a request got, for the answer to a request that timed out: whether its body had arrived (if not, the
/// client was too slow: 408), and which event it was publishing (the client may retry with that eventId).
/// </summary>
internal static class RequestProgress
{
    private static readonly object BodyReceivedKey = new();
    private static readonly object PublishingKey = new();

    public static void BodyReceived(HttpContext context) => context.Items[BodyReceivedKey] = true;

    public static void Publishing(HttpContext context, Guid eventId) => context.Items[PublishingKey] = eventId;

    /// <summary>True when the request announced a body (a length or chunks) that has not arrived in full.</summary>
    public static bool IsBodyIncomplete(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true && !context.Items.ContainsKey(BodyReceivedKey);

    public static Guid? PublishingEventId(HttpContext context) =>
        context.Items.TryGetValue(PublishingKey, out var id) ? (Guid?)id : null;
}
