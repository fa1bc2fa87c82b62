using Producer.Api.Http;
using Producer.Api.Kafka;
using Shared.Contracts.Consistency;

namespace Producer.Api.Queries;

/// <summary>The consistency token of a query, refused at once when no wait could satisfy it.</summary>
internal static class QueryToken
{
    /// <summary>
    /// The request's token (null without one), or a 400: malformed, of another topic, or naming a partition the topic
    /// does not have. (An offset past a partition's end is found only if the workers' first answer falls short.)
    /// </summary>
    public static async Task<(bool Ok, ConsistencyToken? Token, IResult? Refusal)> ReadAsync(HttpContext context, ITopicMetadata topic)
    {
        if (!RequestToken.TryRead(context, topic.Topic, out var token, out var refusal))
        {
            return (false, null, refusal);
        }

        if (token is { IsEmpty: false }
            && await topic.PartitionCountAsync(context.RequestAborted) is { } partitions
            && token.Positions.Where(p => p.Key >= partitions).Select(p => (int?)p.Key).FirstOrDefault() is { } missing)
        {
            return (false, null, RequestToken.Invalid(
                ConsistencyToken.HeaderName,
                $"Names partition {missing}, which the topic does not have (it has {partitions}): not a token of this topic as it is."));
        }

        return (true, token, null);
    }
}
