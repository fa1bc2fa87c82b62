using Microsoft.Extensions.Options;
using Producer.Api.Http;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Events;

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
                "was written: retrying with the same eventId is safe.")
            .Accepts<NewEvent>("application/json")
            .Produces<PublishedEvent>(StatusCodes.Status201Created)
            .AsIngestEndpoint();
        return app;
    }

    private static async Task<IResult> GenerateAsync(
        HttpContext context,
        EventFactory factory,
        IEventPublisher publisher,
        IOptions<ProducerApiOptions> options)
    {
        var settings = options.Value;
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
            return new CreatedEventResult(outgoing);
        }

        return ApiProblems.Unavailable(
            context,
            "Kafka did not accept the event.",
            $"{published.Reason} The event may or may not have been written; retrying with eventId {outgoing.EventId} is safe.",
            TimeSpan.FromSeconds(settings.CircuitBreakSeconds));
    }
}
