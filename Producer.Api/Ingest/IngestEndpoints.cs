using Producer.Api.Http;
using Shared.Contracts.Consistency;
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
                "was written: retrying with the same eventId is safe. The 201 gives the event's partition and offset, and a " +
                "Consistency-Token header naming that position: sent with a read, it makes the read reflect this event. A token " +
                "sent with the POST (header Consistency-Token or query consistencyToken) is combined into the one answered, so a " +
                "client can keep one token for its whole session.")
            .Accepts<NewEvent>("application/json")
            .Produces<PublishedEvent>(StatusCodes.Status201Created)
            .AsIngestEndpoint();
        return app;
    }

    private static async Task<IResult> GenerateAsync([AsParameters] IngestRequest request)
    {
        var input = await request.ReadAsync(request.Settings.MaxBodyBytes);
        if (input.IsRefused)
        {
            return input.Refusal!;
        }

        var (context, settings, body) = (request.Context, request.Settings, input.Body);
        if (!EventJsonReader.TryRead(body, EventReadMode.Request, out var fields, out var errors, settings.MaxPayloadBytes))
        {
            return ApiProblems.Invalid(errors!);
        }

        var outgoing = request.Factory.Create(fields, body);
        var published = await request.Publisher.PublishAsync(outgoing.EventId, outgoing.Json, context.RequestAborted);
        if (published.IsAcknowledged)
        {
            var written = ConsistencyToken.For(request.Topic, [new(published.Partition, published.Offset)]);
            return new CreatedEventResult(outgoing, published.Partition, published.Offset, input.Session?.Merge(written) ?? written);
        }

        return ApiProblems.Unavailable(
            context,
            "Kafka did not accept the event.",
            $"{published.Reason} The event may or may not have been written; retrying with eventId {outgoing.EventId} is safe.",
            TimeSpan.FromSeconds(settings.CircuitBreakSeconds));
    }
}
