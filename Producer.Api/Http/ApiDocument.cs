using Scalar.AspNetCore;

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
