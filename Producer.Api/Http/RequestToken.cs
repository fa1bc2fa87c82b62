using Shared.Contracts.Consistency;

namespace Producer.Api.Http;

/// <summary>
/// The consistency token a request carries, in the Consistency-Token header or the consistencyToken query parameter,
/// and the one an answer gives back in the Consistency-Token header.
/// </summary>
internal static class RequestToken
{
    /// <summary>
    /// Reads the request's token of <paramref name="topic"/>: true with null when there is none, true with the token,
    /// or false with a 400 that names the problem (malformed, too long, another topic, two different ones).
    /// </summary>
    public static bool TryRead(HttpContext context, string topic, out ConsistencyToken? token, out IResult? refusal)
    {
        token = null;
        refusal = null;
        var header = context.Request.Headers[ConsistencyToken.HeaderName];
        var query = context.Request.Query[ConsistencyToken.QueryName];
        if (header.Count + query.Count == 0)
        {
            return true;
        }

        foreach (var (name, text) in header.Select(t => (ConsistencyToken.HeaderName, t)).Concat(query.Select(t => (ConsistencyToken.QueryName, t))))
        {
            if (!ConsistencyToken.TryParse(text, topic, out var read, out var problem))
            {
                refusal = Invalid(name, ConsistencyToken.Describe(problem));
                return false;
            }

            // Header and query both, or a header repeated: each is a position the client wants reflected.
            token = token is null ? read : token.Merge(read);
        }

        return true;
    }

    /// <summary>The answer's token: the positions it reflects.</summary>
    public static void Give(HttpContext context, ConsistencyToken token) =>
        context.Response.Headers[ConsistencyToken.HeaderName] = token.ToString();

    /// <summary>400 for a token that no wait can satisfy, naming where it is wrong.</summary>
    public static IResult Invalid(string name, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [problem] }, title: "The consistency token is invalid.");
}
