using Microsoft.Extensions.Options;
using Producer.Api.Http;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Hosting;

namespace Producer.Api.Ingest;

/// <summary>
/// What every ingest handler is given (bound through <c>[AsParameters]</c>: the request and the services it publishes
/// with), and the opening they share: the session token read, then the body.
/// </summary>
/// <remarks>
/// A struct, and its result one too: the single-event POST is priced in bytes per request, and neither adds an
/// allocation to it.
/// </remarks>
internal readonly record struct IngestRequest(
    HttpContext Context,
    EventFactory Factory,
    IEventPublisher Publisher,
    IOptions<ProducerApiOptions> Options,
    IOptions<KafkaOptions> Kafka)
{
    public ProducerApiOptions Settings => Options.Value;

    public string Topic => Kafka.Value.Topic;

    /// <summary>
    /// The request's session token and its JSON body of at most <paramref name="maxBodyBytes"/>, or the answer that
    /// refuses it: 400 for a bad token, 415 for another content type, 413 past the limit, 408 for a body that has not
    /// arrived within REQUEST_TIMEOUT_MS.
    /// </summary>
    public async ValueTask<IngestInput> ReadAsync(int maxBodyBytes)
    {
        // The token first, before the body is read or anything is published: the client's session token must not
        // be lost to a typo.
        if (!RequestToken.TryRead(Context, Topic, out var session, out var badToken))
        {
            return IngestInput.Refused(badToken!);
        }

        if (!Context.Request.HasJsonContentType())
        {
            return IngestInput.Refused(ApiProblems.UnsupportedMediaType());
        }

        var timeout = Settings.RequestTimeout;
        var (outcome, body) = await RequestBody.ReadAsync(Context.Request, maxBodyBytes, timeout, Context.RequestAborted);
        return outcome switch
        {
            RequestBody.Outcome.Read => new IngestInput(body, session, null),
            RequestBody.Outcome.TooLarge => IngestInput.Refused(ApiProblems.TooLarge(maxBodyBytes)),
            _ => IngestInput.Refused(ApiProblems.BodyTooSlow(Context, timeout)),
        };
    }
}
