using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Registry;
using Producer.Api.OpenApi;
using Producer.Api.Options;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

internal static class QueryEndpoints
{
    /// <summary>Bytes buffered in the JSON writer before they are flushed to the client.</summary>
    private const int FlushThreshold = 32 * 1024;

    public static IEndpointRouteBuilder MapQueries(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events/processed", ListAsync)
            .WithName("ListProcessedEvents")
            .WithTags("Events")
            .WithSummary("List the processed events")
            .WithDescription(
                "Every event the worker has stored, each once, in the order it stored them, streamed as one JSON array. " +
                "503 when the worker cannot be reached. Should the worker fail after the first page, the connection is " +
                "closed without the closing bracket: a broken response, never a complete-looking partial list.")
            .Produces<PublishedEvent[]>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/events/processed/{eventId}", GetAsync)
            .WithName("GetProcessedEvent")
            .WithTags("Events")
            .WithSummary("Get one processed event")
            .WithDescription("404 while the event is not (yet) processed: an event accepted moments ago may still be on its way.")
            .Produces<PublishedEvent>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>
    /// Streams the worker's pages into one JSON array as they arrive: the API holds one page at a time,
    /// whatever the store's size.
    /// </summary>
    private static async Task<IResult> ListAsync(
        HttpContext context,
        ProcessedEvents.ProcessedEventsClient worker,
        IOptions<ProducerApiOptions> options,
        ResiliencePipelineProvider<string> pipelines,
        ILoggerFactory loggers)
    {
        var settings = options.Value;
        var breaker = pipelines.GetPipeline(WorkerCallPipeline.Name);
        using var call = worker.ListProcessedEvents(
            new ListProcessedEventsRequest(),
            deadline: DateTime.UtcNow + settings.WorkerListTimeout,
            cancellationToken: context.RequestAborted);
        var stream = call.ResponseStream;

        // The status is not sent until the first page is in: an unreachable worker is still a clean 503.
        bool hasPage;
        using (var firstPage = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            firstPage.CancelAfter(settings.WorkerCallTimeout);
            try
            {
                hasPage = await breaker.ExecuteAsync(
                    static async (state, _) => await state.MoveNext(state.Token),
                    (MoveNext: (Func<CancellationToken, Task<bool>>)stream.MoveNext, firstPage.Token),
                    context.RequestAborted);
            }
            catch (RpcException ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
            {
                return WorkerErrors.Unavailable(context, ex);
            }
            catch (BrokenCircuitException ex)
            {
                return WorkerErrors.Unavailable(context, ex);
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartArray();
        try
        {
            while (hasPage)
            {
                foreach (var processed in stream.Current.Events)
                {
                    ProcessedEventJson.Write(writer, processed);
                    if (writer.BytesPending >= FlushThreshold)
                    {
                        await writer.FlushAsync(context.RequestAborted);
                    }
                }

                hasPage = await stream.MoveNext(context.RequestAborted);
            }
        }
        catch (RpcException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // 200 is already on the wire. Closing the connection without the closing bracket is the only honest
            // answer left: the client sees a broken response, never a complete-looking partial list.
            loggers.CreateLogger(typeof(QueryEndpoints)).LogError(
                "The worker's stream failed after the response started ({StatusCode}); aborting the response", ex.StatusCode);
            context.Abort();
            return Results.Empty;
        }

        writer.WriteEndArray();
        await writer.FlushAsync(context.RequestAborted);
        return Results.Empty;
    }

    private static async Task<IResult> GetAsync(
        string eventId,
        HttpContext context,
        ProcessedEvents.ProcessedEventsClient worker,
        IOptions<ProducerApiOptions> options,
        ResiliencePipelineProvider<string> pipelines)
    {
        if (!Guid.TryParseExact(eventId, "D", out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [EventSchema.EventId] = ["Must be a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301."] },
                title: "The event id is invalid.");
        }

        try
        {
            var processed = await pipelines.GetPipeline(WorkerCallPipeline.Name).ExecuteAsync(
                static async (state, token) => await state.worker.GetProcessedEventAsync(
                    new GetProcessedEventRequest { EventId = state.id.ToString() },
                    deadline: DateTime.UtcNow + state.timeout,
                    cancellationToken: token),
                (worker, id, timeout: options.Value.WorkerCallTimeout),
                context.RequestAborted);
            return new ProcessedEventResult(processed);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "The event has not been processed.",
                detail: $"No processed event has id {id}. An event accepted moments ago may not be processed yet.");
        }
        catch (RpcException ex) when (WorkerErrors.IsUnavailable(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return WorkerErrors.Unavailable(context, ex);
        }
        catch (BrokenCircuitException ex)
        {
            return WorkerErrors.Unavailable(context, ex);
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
