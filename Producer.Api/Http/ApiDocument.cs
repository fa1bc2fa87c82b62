using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Scalar.AspNetCore;
using Shared.Contracts.Events;

namespace Producer.Api.Http;

/// <summary>
/// The OpenAPI document at /openapi/v1.json and its reference page at /scalar/v1. The endpoints read and write
/// their JSON by hand (see EventJsonReader), so these types exist only to describe that JSON to the document.
/// </summary>
internal static class ApiDocument
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string ReferencePath = "/scalar";

    public static IServiceCollection AddApiDocument(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiDocumentJsonContext.Default));
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "User activity events";
            document.Info.Description =
                "Accepts user activity events, publishes them to Kafka and answers 201 once Kafka has acknowledged them; " +
                "lists the events the worker has processed. Every error is application/problem+json.";
            return Task.CompletedTask;
        }));
        return services;
    }

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        // The page's script is an embedded resource of the Scalar package, served from this process; fonts, telemetry
        // and the hosted agent are off, so the page makes no request beyond this service.
        app.MapScalarApiReference(ReferencePath, static options => options
            .WithTitle("User activity events")
            .WithOpenApiRoutePattern(DocumentPath)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }
}

/// <summary>An event to publish. Only userId and eventType are required; the API fills in the rest.</summary>
internal sealed class NewEvent
{
    /// <summary>The client's idempotency key: posting the same eventId again is safe. Generated (UUIDv7) when absent.</summary>
    public Guid EventId { get; init; }

    /// <summary>Who did it: a non-blank string.</summary>
    public required string UserId { get; init; }

    /// <summary>What happened.</summary>
    public required EventType EventType { get; init; }

    /// <summary>When, with an offset (RFC 3339). The time of the request when absent.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Any JSON object, nested at most 32 deep. An empty object when absent.</summary>
    public JsonObject? Payload { get; init; }
}

/// <summary>An event as Kafka holds it: every field present.</summary>
/// <param name="EventId">The event's id: the client's, or generated.</param>
/// <param name="UserId">Who did it.</param>
/// <param name="EventType">What happened.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Payload">The client's payload, verbatim.</param>
internal sealed record PublishedEvent(Guid EventId, string UserId, EventType EventType, DateTimeOffset Timestamp, JsonObject Payload);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NewEvent))]
[JsonSerializable(typeof(PublishedEvent))]
[JsonSerializable(typeof(PublishedEvent[]))]
internal sealed partial class ApiDocumentJsonContext : JsonSerializerContext;
