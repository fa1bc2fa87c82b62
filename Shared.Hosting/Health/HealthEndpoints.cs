using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shared.Hosting.Health;

public static class HealthEndpoints
{
    /// <summary>Checks tagged with this take part in readiness; liveness runs none (the process answers).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// /health/live and /health/ready, in every environment: orchestrators need them, and the answer names each
    /// check and its state, nothing more. Route handlers rather than MapHealthChecks, so that the API's OpenAPI
    /// document describes them like every other endpoint.
    /// </summary>
    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", static (HealthCheckService checks, HttpContext context) => CheckAsync(checks, context, static _ => false))
            .WithName("Live")
            .WithTags("Health")
            .WithSummary("Liveness: the process answers")
            .Produces<HealthReportBody>(StatusCodes.Status200OK)
            .Produces<HealthReportBody>(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/health/ready", static (HealthCheckService checks, HttpContext context) => CheckAsync(checks, context, static check => check.Tags.Contains(ReadyTag)))
            .WithName("Ready")
            .WithTags("Health")
            .WithSummary("Readiness: every check tagged ready passes")
            .WithDescription("503 names the failing check; the API is ready when Kafka has the topic and the worker's gRPC health says SERVING.")
            .Produces<HealthReportBody>(StatusCodes.Status200OK)
            .Produces<HealthReportBody>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task CheckAsync(HealthCheckService checks, HttpContext context, Func<HealthCheckRegistration, bool> predicate)
    {
        var report = await checks.CheckHealthAsync(predicate, context.RequestAborted);
        var response = context.Response;
        // As MapHealthChecks answers: Degraded still serves traffic.
        response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        response.Headers.CacheControl = "no-store, no-cache";
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString());
            writer.WriteString("description", entry.Description);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
