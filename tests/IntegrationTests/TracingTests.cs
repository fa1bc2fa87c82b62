using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// One trace from the HTTP request through Kafka to the worker: the spans both services record are collected in
/// memory, through each service's own tracer provider, and followed by their ids.
/// </summary>
public sealed class TracingTests(MockClusterFixture kafka)
{
    [Fact]
    public async Task The_workers_span_for_an_event_belongs_to_the_trace_of_the_post_that_produced_it()
    {
        var spans = new SpanCollector();
        await using var flow = await StartAsync(spans);

        var created = await flow.Api.PostAsync("traced-user", "LOGIN");
        var key = created.EventId.ToString();

        var publish = await spans.WaitForAsync(s => s.Kind == ActivityKind.Producer && s.Key() == key, "the API's publish span");
        var post = spans.Single(s => s.SpanId == publish.ParentSpanId);
        var process = await spans.WaitForAsync(s => s.Kind == ActivityKind.Consumer && s.Key() == key, "the worker's processing span");
        Assert.Equal(ActivityKind.Server, post.Kind);
        Assert.Equal("/events/generate", post.GetTagItem("http.route"));
        Assert.Equal(post.TraceId, publish.TraceId);
        Assert.Equal(post.TraceId, process.TraceId);
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Equal($"process {flow.Topic}", process.DisplayName);
        Assert.Equal("stored", process.GetTagItem("useractivity.outcome"));
    }

    [Fact]
    public async Task A_message_without_trace_headers_gets_a_processing_span_that_starts_a_trace_of_its_own()
    {
        var spans = new SpanCollector();
        await using var flow = await StartAsync(spans);
        var eventId = Guid.NewGuid();
        var json = $$$"""{"eventId":"{{{eventId}}}","userId":"untraced","eventType":"LOGOUT","timestamp":"2026-01-01T00:00:00Z","payload":{}}""";

        await KafkaTestClient.ProduceRawAsync(flow.BootstrapServers, flow.Topic, eventId.ToString(), Encoding.UTF8.GetBytes(json));

        var process = await spans.WaitForAsync(
            s => s.Kind == ActivityKind.Consumer && s.Key() == eventId.ToString(), "the worker's processing span");
        Assert.Equal(default, process.ParentSpanId);
        Assert.NotEqual(default, process.TraceId);
        Assert.DoesNotContain(spans.All, s => s.TraceId == process.TraceId && s.Source.Name == "Producer.Api");
    }

    [Fact]
    public async Task A_get_is_traced_through_grpc_into_the_worker()
    {
        var spans = new SpanCollector();
        await using var flow = await StartAsync(spans);
        var created = await flow.Api.PostAsync("traced-reader", "PRODUCT_VIEW");
        await flow.Api.WaitUntilProcessedAsync([created.EventId]);
        var path = $"/events/processed/{created.EventId}";

        using (var response = await flow.Api.Http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        var get = await spans.WaitForAsync(
            s => s.Kind == ActivityKind.Server && (s.GetTagItem("url.path") as string) == path,
            "the API's span for the GET");
        var served = await spans.WaitForAsync(
            s => s.Kind == ActivityKind.Server && s.TraceId == get.TraceId &&
                 (s.GetTagItem("http.route") as string) == "/useractivity.v1.ProcessedEvents/GetProcessedEvent",
            "the worker's gRPC server span in the GET's trace");
        Assert.NotEqual(get.SpanId, served.SpanId);
    }

    private Task<InProcessEventFlow> StartAsync(SpanCollector spans) => kafka.StartFlowAsync(
        $"traced-{Guid.NewGuid():N}",
        services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(spans)));

    /// <summary>
    /// Every span that ends, kept by span id: the API's and the worker's tracer providers both see ASP.NET Core's
    /// spans (listeners are process-wide), and each span is kept once.
    /// </summary>
    private sealed class SpanCollector : BaseProcessor<Activity>
    {
        private readonly ConcurrentDictionary<ActivitySpanId, Activity> _spans = new();

        public IReadOnlyCollection<Activity> All => [.. _spans.Values];

        public override void OnEnd(Activity data) => _spans.TryAdd(data.SpanId, data);

        public Activity Single(Func<Activity, bool> match) => Assert.Single(_spans.Values, s => match(s));

        public async Task<Activity> WaitForAsync(Func<Activity, bool> match, string what)
        {
            Activity? found = null;
            await Eventually.UntilAsync(() => Task.FromResult((found = _spans.Values.FirstOrDefault(match)) is not null), what);
            return found!;
        }
    }
}
