using Microsoft.Extensions.Options;
using Producer.Api.Http;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;
using Shared.Hosting;

namespace Producer.Api.Ingest;

internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events/generate", GenerateAsync)
            .WithName("GenerateEvent")
            .WithSummary("Publish an event")
            .WithDescription(
                "Validates the event, completes it (eventId, timestamp, payload) and publishes it to Kafka, keyed by eventId. " +
                "Answers 201 only once Kafka has acknowledged it on every in-sync replica. A 503 leaves it open whether the event " +
                "was written: retrying with the same eventId is safe. The 201 gives the event's partition and offset, and a " +
                "Consistency-Token header naming that position: sent with a read, it makes the read reflect this event. A token " +
                "sent with the POST (header Consistency-Token or query consistencyToken) is combined into the one answered, so a " +
                "client can keep one token for its whole session.")
            .Accepts<NewEvent>("application/json")
            .Produces<PublishedEvent>(StatusCodes.Status201Created)
            .AsIngestEndpoint();
        return app;
    }

    private static async Task<IResult> GenerateAsync(
        HttpContext context,
        EventFactory factory,
        IEventPublisher publisher,
        IOptions<ProducerApiOptions> options,
        IOptions<KafkaOptions> kafka)
    {
        var settings = options.Value;
        if (!RequestToken.TryRead(context, kafka.Value.Topic, out var session, out var badToken))
        {
            // Refused before anything is published: the client's session token must not be lost to a typo.
            return badToken!;
        }

        var (body, refusal) = await RequestBody.ReadJsonAsync(context, settings.MaxBodyBytes);
        if (body is null)
        {
            return refusal!;
        }

        if (!EventJsonReader.TryRead(body, EventReadMode.Request, out var fields, out var errors, settings.MaxPayloadBytes))
        {
            return ApiProblems.Invalid(errors!);
        }

        var outgoing = factory.Create(fields, body);
        RequestProgress.Publishing(context, outgoing.EventId);
        var published = await publisher.PublishAsync(outgoing.EventId, outgoing.Json, context.RequestAborted);
        if (published.IsAcknowledged)
        {
            var written = ConsistencyToken.For(kafka.Value.Topic, [new(published.Partition, published.Offset)]);
            return new CreatedEventResult(outgoing, published.Partition, published.Offset, session?.Merge(written) ?? written);
        }

        return ApiProblems.Unavailable(
            context,
            "Kafka did not accept the event.",
            $"{published.Reason} The event may or may not have been written; retrying with eventId {outgoing.EventId} is safe.",
            TimeSpan.FromSeconds(settings.CircuitBreakSeconds));
    }
}
