using System.Diagnostics;

namespace Shared.Hosting.Telemetry;

/// <summary>
/// The tags of the messaging semantic conventions that every Kafka operation of the services carries, on its span and
/// on its metrics alike: one list, so that a send span, its duration metric and the worker's process span agree.
/// </summary>
public static class MessagingTags
{
    /// <param name="operation">The operation's name, which is also its type here: "send" or "process".</param>
    /// <param name="topic">The topic sent to or consumed from.</param>
    public static KeyValuePair<string, object?>[] Operation(string operation, string topic) =>
    [
        new("messaging.system", "kafka"),
        new("messaging.operation.name", operation),
        new("messaging.operation.type", operation),
        new("messaging.destination.name", topic),
    ];

    /// <summary>Sets each of <paramref name="tags"/> on the span.</summary>
    public static Activity SetTags(this Activity activity, KeyValuePair<string, object?>[] tags)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var (name, value) in tags)
        {
            activity.SetTag(name, value);
        }

        return activity;
    }
}
