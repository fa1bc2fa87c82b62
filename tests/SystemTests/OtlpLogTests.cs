using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Shared.Contracts.Events;
using TestSupport;

namespace SystemTests;

/// <summary>The services' log events go over OTLP wherever their traces go, each with its trace id and its instance's id.</summary>
public sealed class OtlpLogTests
{
    [Fact]
    public async Task The_workers_line_for_an_event_reaches_the_OTLP_endpoint_with_the_requests_trace_id_and_the_workers_instance_id()
    {
        await using var receiver = await FakeOtlpReceiver.StartAsync();
        await using var deployment = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=worker-under-test",
        });
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/generate")
        {
            Content = JsonContent.Create(new { userId = "otlp-user", eventType = "LOGIN" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-b7ad6b7169203331-01");
        using var created = await deployment.Api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UserActivityEvent, TestContext.Current.CancellationToken))!.EventId;

        // An OTLP log export is protobuf: the strings are there as UTF-8, the trace id as its 16 raw bytes.
        var traceBytes = new byte[16];
        traceId.CopyTo(traceBytes);
        await Eventually.UntilAsync(
            () => Task.FromResult(receiver.Logs.Any(export =>
                Contains(export, "consumer-worker"u8) &&
                Contains(export, "worker-under-test"u8) &&
                Contains(export, Encoding.UTF8.GetBytes($"Processed event {eventId}")) &&
                Contains(export, traceBytes))),
            $"the worker's line for {eventId} with trace {traceId} at the OTLP endpoint ({receiver.Logs.Count} log exports so far)\n{deployment.Output}");

        // The console keeps its lines.
        Assert.Contains(await deployment.LinesOnceWrittenAsync(eventId.ToString()), line => line.StartsWith("worker", StringComparison.Ordinal) && line.Contains(eventId.ToString(), StringComparison.Ordinal));
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>An OTLP/HTTP endpoint that keeps every log export it receives and accepts traces and metrics.</summary>
    private sealed class FakeOtlpReceiver(WebApplication app) : IAsyncDisposable
    {
        public ConcurrentQueue<byte[]> Logs { get; } = new();

        public string Url => app.Urls.First();

        public static async Task<FakeOtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new FakeOtlpReceiver(app);
            app.MapPost("/v1/logs", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                receiver.Logs.Enqueue(body.ToArray());
                return Results.Bytes([], "application/x-protobuf");
            });
            app.MapPost("/v1/{signal}", (string signal) => Results.Bytes([], "application/x-protobuf"));
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
