using System.Diagnostics;

namespace IntegrationTests;

internal static class SpanTags
{
    public static string? Key(this Activity span) => span.GetTagItem("messaging.kafka.message.key") as string;
}
