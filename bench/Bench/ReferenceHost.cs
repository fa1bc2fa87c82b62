using System.Buffers;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Shared.Contracts.Events;

namespace Bench;

/// <summary>
/// The two references the ingest figures are ratios to, each a process of its own like the API:
/// <c>echo</c> parses, stamps and answers 201 without publishing (the HTTP ceiling of this machine), and
/// <c>kafka-http</c> is the echo plus one awaited produce with the API's producer settings (the bound for any ingest
/// that answers only after Kafka's acknowledgement). Neither has logging, metrics, traces or resilience: what the
/// API does beyond them is what the ratio prices.
/// </summary>
internal static class ReferenceHost
{
    public static async Task<int> RunAsync(string mode, CancellationToken stopping)
    {
        var port = int.Parse(Environment.GetEnvironmentVariable("API_PORT") ?? "8080", CultureInfo.InvariantCulture);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        using var producer = mode == "kafka-http" ? new ProducerBuilder<string, byte[]>(Producers.ApiConfig()).Build() : null;
        var topic = Environment.GetEnvironmentVariable("KAFKA_TOPIC") ?? "user-activity-events";
        app.MapGet("/health/ready", () => Results.Ok());
        app.MapPost("/events/generate", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request);
            if (!EventJsonReader.TryRead(body, EventReadMode.Request, out var fields, out var errors))
            {
                return Results.ValidationProblem(errors!);
            }

            var eventId = fields.EventId ?? Guid.CreateVersion7();
            var buffer = new ArrayBufferWriter<byte>(body.Length + 128);
            EventJsonWriter.Write(buffer, eventId, fields.UserId!, fields.EventType!.Value, fields.Timestamp ?? DateTimeOffset.UtcNow, fields.PayloadOf(body));
            var json = buffer.WrittenSpan.ToArray();
            if (producer is not null)
            {
                await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = eventId.ToString(), Value = json });
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = json.Length;
            await context.Response.Body.WriteAsync(json);
            return Results.Empty;
        });
        await app.StartAsync(stopping);
        await Task.Delay(Timeout.Infinite, stopping).ContinueWith(static _ => { }, TaskScheduler.Default);
        await app.StopAsync(CancellationToken.None);
        if (producer is not null)
        {
            producer.Flush(TimeSpan.FromSeconds(5));
        }

        return 0;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
