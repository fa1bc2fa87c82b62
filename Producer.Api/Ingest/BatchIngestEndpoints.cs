using System.Text.Json;
using Producer.Api.Http;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;

namespace Producer.Api.Ingest;

/// <summary>
/// POST /events/generate/batch: a JSON array of events, each validated on its own and all published together,
/// answered with one result per entry. One request carries many events, so the round trip to Kafka is paid once for all of them:
/// the producer batches them into the same produce requests.
/// </summary>
internal static class BatchIngestEndpoints
{
    public static IEndpointRouteBuilder MapBatchIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events/generate/batch", GenerateBatchAsync)
            .WithName("GenerateEventBatch")
            .WithSummary("Publish many events")
            .WithDescription(
                "A JSON array of at most MAX_BATCH_EVENTS events, each validated on its own, all published together. Answers 200 with one " +
                "result per entry, in the order sent: 201 with its eventId once Kafka acknowledged it, 400 with the entry's " +
                "errors, or 503 with the eventId to retry with. 400 for a body that is not a non-empty array within the limit. " +
                "An accepted entry gives its partition and offset; the Consistency-Token header covers every accepted entry (and " +
                "the token sent with the request, if any).")
            .Accepts<NewEvent[]>("application/json")
            .Produces<BatchResult>(StatusCodes.Status200OK)
            .AsIngestEndpoint();
        return app;
    }

    private static async Task<IResult> GenerateBatchAsync([AsParameters] IngestRequest request)
    {
        var input = await request.ReadAsync(request.Settings.MaxBatchBodyBytes);
        if (input.IsRefused)
        {
            return input.Refusal!;
        }

        var (context, settings, body) = (request.Context, request.Settings, input.Body);
        if (!TrySplit(body, settings.MaxBatchEvents, out var entries, out var problem))
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]> { [EventSchema.Body] = [problem!] });
        }

        var results = new BatchEntryResult[entries.Count];
        var outgoing = new List<(int Index, OutgoingEvent Event)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = body.AsMemory(entries[i]);
            if (!EventJsonReader.TryRead(entry.Span, EventReadMode.Request, out var fields, out var errors, settings.MaxPayloadBytes))
            {
                results[i] = new BatchEntryResult(i, StatusCodes.Status400BadRequest, Errors: errors);
                continue;
            }

            outgoing.Add((i, request.Factory.Create(fields, entry.Span)));
        }

        // Every valid event at once: the producer puts them into the same produce requests. A batch without one
        // publishes nothing and answers its entries' 400s.
        var published = outgoing.Count == 0 ? [] : await request.Publisher.PublishBatchAsync([.. outgoing.Select(o => (o.Event.EventId, o.Event.Json))], context.RequestAborted);
        for (var j = 0; j < outgoing.Count; j++)
        {
            var (index, created) = outgoing[j];
            results[index] = published[j].IsAcknowledged
                ? new BatchEntryResult(index, StatusCodes.Status201Created, created.EventId, Partition: published[j].Partition, Offset: published[j].Offset)
                : new BatchEntryResult(
                    index,
                    StatusCodes.Status503ServiceUnavailable,
                    created.EventId,
                    $"{published[j].Reason} The event may or may not have been written; retrying with its eventId is safe.");
        }

        var accepted = results.Count(r => r.Status == StatusCodes.Status201Created);
        // One token for every accepted entry: per partition, the highest offset written.
        var written = ConsistencyToken.For(request.Topic, published.Where(p => p.IsAcknowledged).Select(p => new KeyValuePair<int, long>(p.Partition, p.Offset)));
        RequestToken.Give(context, input.Session?.Merge(written) ?? written);
        return TypedResults.Json(new BatchResult(accepted, results.Length - accepted, results), BatchJsonContext.Default.BatchResult);
    }

    /// <summary>The byte range of each element of the top-level array; false with a reason when it is no such array.</summary>
    private static bool TrySplit(byte[] body, int maxEvents, out List<Range> entries, out string? problem)
    {
        entries = [];
        problem = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = EventSchema.MaxDepth + 1 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                problem = "The body must be a JSON array of events.";
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (entries.Count == maxEvents)
                {
                    problem = $"A batch holds at most {maxEvents} events.";
                    return false;
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                entries.Add(new Range(start, (int)reader.BytesConsumed));
            }

            // Trailing content after the array makes this throw.
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            problem = "The body is not valid JSON, or is nested too deeply.";
            return false;
        }

        if (entries.Count == 0)
        {
            problem = "The batch is empty.";
            return false;
        }

        return true;
    }
}
