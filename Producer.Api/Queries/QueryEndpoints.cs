using System.Text.Json;
using Grpc.Core;
using Producer.Api.Http;
using Producer.Api.Kafka;
using Producer.Api.Workers;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

internal static class QueryEndpoints
{
    public static IEndpointRouteBuilder MapQueries(this IEndpointRouteBuilder app)
    {
        // A list streams for as long as WORKER_LIST_TIMEOUT_MS allows: the request timeout is for answers given at once.
        app.MapGet("/events/processed", ListAsync)
            .WithName("ListProcessedEvents")
            .WithTags("Events")
            .WithSummary("List the processed events")
            .WithDescription(
                "Without parameters: every event the workers have stored, each once, streamed as one JSON array. With userId, " +
                "eventType, since, limit or cursor: one page of the matching events, and a Link header to the next page when " +
                "this one is full. 503 when no worker can be reached or the workers' partitions do not cover the topic (a " +
                "rebalance). Should a worker fail after the first page, the connection is closed without the closing bracket: " +
                "a broken response, never a complete-looking partial list. " + TokenDescription)
            .Produces<PublishedEvent[]>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableRequestTimeout();
        app.MapGet("/events/processed/{eventId}", GetAsync)
            .WithName("GetProcessedEvent")
            .WithTags("Events")
            .WithSummary("Get one processed event")
            .WithDescription(
                "404 while the event is not (yet) processed: an event accepted moments ago may still be on its way, unless the " +
                "request carries the Consistency-Token of its POST: then the answer waits until the event's partition is stored " +
                "that far, and 404 means it really is not there. " + TokenDescription)
            .Produces<PublishedEvent>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestTimeout(RequestLimits.TimeoutPolicy);
        app.MapGet("/events/status", StatusAsync)
            .WithName("GetProcessingStatus")
            .WithTags("Events")
            .WithSummary("Where the workers stand with each partition")
            .WithDescription(
                "Per partition of the topic: the worker that holds it, whether it serves or is being rebuilt or caught up (or was " +
                "lost and is only kept), the offset stored so far, the partition's end as that worker last saw it, and the lag. " +
                "A partition no worker holds has no worker. Each worker answers the same over gRPC (ProcessedEvents/GetStatus).")
            .Produces<ProcessingStatus>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .WithRequestTimeout(RequestLimits.TimeoutPolicy);
        return app;
    }

    private const string TokenDescription =
        "Read your writes: with a Consistency-Token (header, or the consistencyToken query parameter) the answer reflects at " +
        "least every position it names, waiting up to CONSISTENCY_WAIT_MS for the workers to store them; past that 503 " +
        "with Retry-After, naming the partitions that lag and by how much. 400 at once for a token that cannot be satisfied " +
        "(malformed, another topic, a partition the topic lacks, an offset past its partition's end). Every 200 carries a " +
        "Consistency-Token for the positions it reflects.";

    /// <summary>
    /// Streams every worker's pages into one JSON array as they arrive: the API holds one page at a time, whatever the
    /// stores' size. The status is sent only once every worker's first page is in and their partitions cover the
    /// topic, so an unreachable worker or a rebalance is still a clean 503.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext context, WorkerFanOut workers, ITopicMetadata topic, ILoggerFactory loggers)
    {
        var (valid, token, refusal) = await QueryToken.ReadAsync(context, topic);
        if (!valid)
        {
            return refusal!;
        }

        if (ListQuery.IsRequested(context.Request.Query))
        {
            return await ListPageAsync(context, workers, topic, token);
        }

        WorkerStreams streams;
        try
        {
            streams = await workers.OpenListAsync(new ListProcessedEventsRequest { JsonOnly = true, PageSize = WorkerPage.Size }, token, context.RequestAborted);
        }
        catch (TokenNotSatisfiableException ex)
        {
            return RequestToken.Invalid(ConsistencyToken.HeaderName, ex.Message);
        }
        catch (Exception ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerProblems.Unavailable(context, ex);
        }

        using (streams)
        {
            RequestToken.Give(context, streams.Reflected(topic.Topic));
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await using var output = new StreamingJsonWriter(context.Response.BodyWriter);
            var writer = output.Json;
            writer.WriteStartArray();
            try
            {
                foreach (var stream in streams.Streams)
                {
                    var page = stream.FirstPage;
                    do
                    {
                        foreach (var processed in page.Events)
                        {
                            ProcessedEventJson.Write(writer, processed);
                            await output.MaybeFlushAsync(context.RequestAborted);
                        }

                        page = await stream.Call.ResponseStream.MoveNext(context.RequestAborted) ? stream.Call.ResponseStream.Current : null;
                    }
                    while (page is not null);
                }
            }
            catch (RpcException ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                // 200 is already on the wire. Closing the connection without the closing bracket is the only honest
                // answer left: the client sees a broken response, never a complete-looking partial list.
                loggers.CreateLogger(typeof(QueryEndpoints)).LogError(
                    "A worker's stream failed after the response started ({StatusCode}); aborting the response", ex.StatusCode);
                context.Abort();
                return Results.Empty;
            }

            writer.WriteEndArray();
            await output.FlushAsync(context.RequestAborted);
            return Results.Empty;
        }
    }

    /// <summary>
    /// One page of a filtered list. Each worker returns at most <c>limit</c> events, in its order, which within a
    /// partition is offset order; taking from the heads of their answers keeps every partition's events a prefix, so
    /// the offsets reached are a cursor that skips nothing.
    /// </summary>
    private static async Task<IResult> ListPageAsync(HttpContext context, WorkerFanOut workers, ITopicMetadata topic, ConsistencyToken? token)
    {
        if (!ListQuery.TryParse(context.Request.Query, out var query, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid.");
        }

        if (query.Cursor.Count > 0 && await topic.PartitionCountAsync(context.RequestAborted) is { } partitions && !query.CursorFits(partitions))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["cursor"] = [$"Names a partition the topic does not have (it has {partitions}); start again without it."] },
                title: "The query is invalid.");
        }

        var answers = new List<Queue<ProcessedEvent>>();
        ConsistencyToken reflected;
        try
        {
            using var streams = await workers.OpenListAsync(query.ToRequest(), token, context.RequestAborted);
            reflected = streams.Reflected(topic.Topic);
            foreach (var stream in streams.Streams)
            {
                var events = new Queue<ProcessedEvent>(stream.FirstPage.Events);
                while (await stream.Call.ResponseStream.MoveNext(context.RequestAborted))
                {
                    foreach (var processed in stream.Call.ResponseStream.Current.Events)
                    {
                        events.Enqueue(processed);
                    }
                }

                answers.Add(events);
            }
        }
        catch (TokenNotSatisfiableException ex)
        {
            return RequestToken.Invalid(ConsistencyToken.HeaderName, ex.Message);
        }
        catch (Exception ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerProblems.Unavailable(context, ex);
        }

        var page = new List<ProcessedEvent>(query.Limit);
        var reached = new Dictionary<int, long>(query.Cursor);
        while (page.Count < query.Limit && answers.Any(a => a.Count > 0))
        {
            foreach (var answer in answers.Where(a => a.Count > 0))
            {
                if (page.Count == query.Limit)
                {
                    break;
                }

                var next = answer.Dequeue();
                page.Add(next);
                reached[next.Partition] = Math.Max(reached.GetValueOrDefault(next.Partition, -1), next.Offset);
            }
        }

        // The page is cut from answers that reflected these positions: reading again with its token is never older.
        RequestToken.Give(context, reflected);
        if (page.Count == query.Limit)
        {
            context.Response.Headers.Link = $"<{query.NextLink(context.Request.Path, reached)}>; rel=\"next\"";
        }

        return new ProcessedEventsPageResult(page);
    }

    private static async Task<IResult> GetAsync(string eventId, HttpContext context, WorkerFanOut workers, ITopicMetadata topic)
    {
        if (!Guid.TryParseExact(eventId, "D", out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [EventSchema.EventId] = ["Must be a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301."] },
                title: "The event id is invalid.");
        }

        var (valid, token, refusal) = await QueryToken.ReadAsync(context, topic);
        if (!valid)
        {
            return refusal!;
        }

        try
        {
            if (await workers.FindAsync(id, token, context.RequestAborted) is { } processed)
            {
                // The answer reflects the event's own position in its partition.
                RequestToken.Give(context, ConsistencyToken.For(topic.Topic, [new(processed.Partition, processed.Offset)]));
                return new ProcessedEventResult(processed);
            }

            return TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "The event has not been processed.",
                    detail: token is null
                        ? $"No processed event has id {id}. An event accepted moments ago may not be processed yet."
                        : $"No processed event has id {id} up to the positions of the consistency token: it was not written before them.");
        }
        catch (TokenNotSatisfiableException ex)
        {
            return RequestToken.Invalid(ConsistencyToken.HeaderName, ex.Message);
        }
        catch (Exception ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerProblems.Unavailable(context, ex);
        }
    }

    private static async Task<IResult> StatusAsync(HttpContext context, WorkerFanOut workers, ITopicMetadata topic)
    {
        var answers = await workers.StatusAsync(context.RequestAborted);
        var partitions = await topic.PartitionCountAsync(context.RequestAborted);
        return TypedResults.Json(ProcessingStatus.From(answers, partitions), QueryJsonContext.Default.ProcessingStatus);
    }

    private sealed class ProcessedEventsPageResult(List<ProcessedEvent> page) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            writer.WriteStartArray();
            foreach (var processed in page)
            {
                ProcessedEventJson.Write(writer, processed);
            }

            writer.WriteEndArray();
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }

    private sealed class ProcessedEventResult(ProcessedEvent processed) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            ProcessedEventJson.Write(writer, processed);
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }
}
