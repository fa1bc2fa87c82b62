using System.Text.Json;
using Grpc.Core;
using Producer.Api.Http;
using Producer.Api.Kafka;
using Producer.Api.Workers;
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
                "a broken response, never a complete-looking partial list.")
            .Produces<PublishedEvent[]>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableRequestTimeout();
        app.MapGet("/events/processed/{eventId}", GetAsync)
            .WithName("GetProcessedEvent")
            .WithTags("Events")
            .WithSummary("Get one processed event")
            .WithDescription("404 while the event is not (yet) processed: an event accepted moments ago may still be on its way.")
            .Produces<PublishedEvent>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestTimeout(RequestLimits.TimeoutPolicy);
        return app;
    }

    /// <summary>
    /// Streams every worker's pages into one JSON array as they arrive: the API holds one page at a time, whatever the
    /// stores' size. The status is sent only once every worker's first page is in and their partitions cover the
    /// topic, so an unreachable worker or a rebalance is still a clean 503.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext context, WorkerFanOut workers, ILoggerFactory loggers)
    {
        if (ListQuery.IsRequested(context.Request.Query))
        {
            return await ListPageAsync(context, workers, context.RequestServices.GetRequiredService<ITopicMetadata>());
        }

        WorkerStreams streams;
        try
        {
            streams = await workers.OpenListAsync(new ListProcessedEventsRequest { JsonOnly = true, PageSize = WorkerPage.Size }, context.RequestAborted);
        }
        catch (Exception ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerProblems.Unavailable(context, ex);
        }

        using (streams)
        {
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
    private static async Task<IResult> ListPageAsync(HttpContext context, WorkerFanOut workers, ITopicMetadata topic)
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
        try
        {
            using var streams = await workers.OpenListAsync(query.ToRequest(), context.RequestAborted);
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

        if (page.Count == query.Limit)
        {
            context.Response.Headers.Link = $"<{query.NextLink(context.Request.Path, reached)}>; rel=\"next\"";
        }

        return new ProcessedEventsPageResult(page);
    }

    private static async Task<IResult> GetAsync(string eventId, HttpContext context, WorkerFanOut workers)
    {
        if (!Guid.TryParseExact(eventId, "D", out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [EventSchema.EventId] = ["Must be a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301."] },
                title: "The event id is invalid.");
        }

        try
        {
            return await workers.FindAsync(id, context.RequestAborted) is { } processed
                ? new ProcessedEventResult(processed)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "The event has not been processed.",
                    detail: $"No processed event has id {id}. An event accepted moments ago may not be processed yet.");
        }
        catch (Exception ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerProblems.Unavailable(context, ex);
        }
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
