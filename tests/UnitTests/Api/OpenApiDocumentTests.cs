using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Grpc.Core;
using Metadata = Grpc.Core.Metadata;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Producer.Api.Kafka;
using Producer.Api.Workers;
using Shared.Contracts.Grpc;

namespace UnitTests.Api;

/// <summary>
/// The OpenAPI document against what the API really answers: every route is driven into each status it can give,
/// and a status the document does not list for that route fails the test.
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string KnownEventId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    private readonly FakeWorker _worker = new();
    private readonly ApiWithMockedKafka _api = new();
    private readonly HttpClient _http;
    private readonly List<(string Method, string Route, int Status, string? ContentType)> _answers = [];

    public OpenApiDocumentTests()
    {
        _http = _api.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IWorkerDirectory>(new OneWorker(new WorkerClient(new Uri("http://worker"), _worker)));
            services.AddSingleton<ITopicMetadata>(new OnePartitionTopic());
        })).CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Every_status_the_api_answers_is_listed_in_the_document_for_its_route()
    {
        var document = await DocumentAsync();
        await DriveEveryRouteAsync();

        var undocumented = _answers
            .Where(a => !document.TryGetValue((a.Method, a.Route), out var statuses) || !statuses.ContainsKey(a.Status))
            .Select(a => $"{a.Method} {a.Route} answered {a.Status}, which the document does not list")
            .Distinct()
            .ToList();

        Assert.Empty(undocumented);
        // The drive reached every operation of the document, so none goes unchecked.
        Assert.Equal(document.Keys.Order(), _answers.Select(a => (a.Method, a.Route)).Distinct().Order());
    }

    [Fact]
    public async Task Every_error_the_document_lists_is_problem_json_and_so_is_every_error_answered()
    {
        var document = await DocumentAsync();
        await DriveEveryRouteAsync();

        var apiRoutes = document.Keys.Where(k => k.Route.StartsWith("/events", StringComparison.Ordinal)).ToHashSet();
        var listed = apiRoutes
            .SelectMany(route => document[route].Where(s => s.Key >= 400 && s.Value != "application/problem+json").Select(s => $"{route} {s.Key}: {s.Value}"));
        var answered = _answers
            .Where(a => apiRoutes.Contains((a.Method, a.Route)) && a.Status >= 400 && a.ContentType != "application/problem+json")
            .Select(a => $"{a.Method} {a.Route} answered {a.Status} as {a.ContentType}");

        Assert.Empty(listed.Concat(answered));
    }

    [Fact]
    public async Task The_reference_page_and_its_script_are_served_by_the_api_itself()
    {
        using var page = await _http.GetAsync(new Uri("/scalar/v1", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        // Every script of the page is a path on this service, not a CDN's URL, and the document is this service's.
        var sources = System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.DoesNotContain("//", source, StringComparison.Ordinal));
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        foreach (var source in sources)
        {
            using var script = await _http.GetAsync(new Uri($"/scalar/{source}", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }
    }

    /// <summary>Each operation of the document as (method, route) with its statuses and each status's content type.</summary>
    private async Task<Dictionary<(string Method, string Route), Dictionary<int, string?>>> DocumentAsync()
    {
        using var response = await _http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var operations = new Dictionary<(string, string), Dictionary<int, string?>>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations[(operation.Name.ToUpperInvariant(), path.Name)] = operation.Value.GetProperty("responses").EnumerateObject().ToDictionary(
                    r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture),
                    r => r.Value.TryGetProperty("content", out var content) ? content.EnumerateObject().Select(c => c.Name).FirstOrDefault() : null);
            }
        }

        Assert.NotEmpty(operations);
        return operations;
    }

    /// <summary>Every route into every status this test can provoke: success, bad input, Kafka and worker failures, a crash.</summary>
    private async Task DriveEveryRouteAsync()
    {
        const string Post = "/events/generate";
        const string List = "/events/processed";
        const string One = "/events/processed/{eventId}";
        const string Status = "/events/status";

        _api.AcknowledgeEverything();
        await SendAsync(HttpMethod.Post, Post, Post, """{"userId":"u","eventType":"LOGIN"}""");
        await SendAsync(HttpMethod.Post, Post, Post, """{"userId":" ","eventType":"LOGx"}""");
        await SendAsync(HttpMethod.Post, Post, Post, "{truncated");
        await SendAsync(HttpMethod.Post, Post, Post, $$$"""{"userId":"u","eventType":"LOGIN","payload":{"x":"{{{new string('x', ApiWithMockedKafka.MaxBodyBytes)}}}"}}""");
        await SendAsync(HttpMethod.Post, Post, Post, "userId=u", "text/plain");
        _api.Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("a bug"));
        await SendAsync(HttpMethod.Post, Post, Post, """{"userId":"u","eventType":"LOGIN"}""");
        _api.FailEverything(ErrorCode.Local_MsgTimedOut);
        await SendAsync(HttpMethod.Post, Post, Post, """{"userId":"u","eventType":"LOGIN"}""");

        const string Batch = "/events/generate/batch";
        _api.AcknowledgeEverything();
        await SendAsync(HttpMethod.Post, Batch, Batch, """[{"userId":"u","eventType":"LOGIN"},{"userId":"u","eventType":"NOPE"}]""");
        await SendAsync(HttpMethod.Post, Batch, Batch, "[]");
        await SendAsync(HttpMethod.Post, Batch, Batch, "[]", "text/plain");
        await SendAsync(HttpMethod.Post, Batch, Batch, "[" + new string(' ', 1_100_000) + "]");

        await SendAsync(HttpMethod.Get, List, List);
        await SendAsync(HttpMethod.Get, $"{List}?limit=0", List);
        await SendAsync(HttpMethod.Get, $"/events/processed/{KnownEventId}", One);
        await SendAsync(HttpMethod.Get, $"/events/processed/{Guid.NewGuid()}", One);
        await SendAsync(HttpMethod.Get, "/events/processed/not-a-uuid", One);
        // A consistency token: malformed (400), and one the worker never reaches (503 once CONSISTENCY_WAIT_MS is up).
        var unreached = Shared.Contracts.Consistency.ConsistencyToken.For("events", [new(0, 5)]).ToString();
        await SendAsync(HttpMethod.Get, $"{List}?consistencyToken=nonsense", List);
        await SendAsync(HttpMethod.Get, $"/events/processed/{Guid.NewGuid()}?consistencyToken=nonsense", One);
        await SendAsync(HttpMethod.Get, $"{List}?consistencyToken={unreached}", List);
        await SendAsync(HttpMethod.Get, $"/events/processed/{Guid.NewGuid()}?consistencyToken={unreached}", One);
        await SendAsync(HttpMethod.Get, Status, Status);
        _worker.Failure = new RpcException(new Status(StatusCode.Unavailable, "down"));
        await SendAsync(HttpMethod.Get, List, List);
        await SendAsync(HttpMethod.Get, $"/events/processed/{KnownEventId}", One);
        _worker.Failure = new InvalidOperationException("a bug");
        await SendAsync(HttpMethod.Get, List, List);
        await SendAsync(HttpMethod.Get, $"/events/processed/{KnownEventId}", One);

        // Live answers 200; ready answers 503 here (the mocked producer has no broker behind it).
        await SendAsync(HttpMethod.Get, "/health/live", "/health/live");
        await SendAsync(HttpMethod.Get, "/health/ready", "/health/ready");
    }

    private async Task SendAsync(HttpMethod method, string path, string route, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        _answers.Add((method.Method, route, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType));
    }

    /// <summary>The worker's gRPC client, answering from one known event, or failing as told.</summary>
    private sealed class FakeWorker : ProcessedEvents.ProcessedEventsClient
    {
        public Exception? Failure { get; set; }

        private static ProcessedEvent Known => new()
        {
            EventId = KnownEventId,
            UserId = "u",
            EventType = "LOGIN",
            Timestamp = "2026-01-01T00:00:00Z",
            PayloadJson = "{}",
        };

        public override AsyncUnaryCall<ProcessedEvent> GetProcessedEventAsync(GetProcessedEventRequest request, CallOptions options)
        {
            var response = Failure is { } failure ? Task.FromException<ProcessedEvent>(failure)
                : request.EventId == KnownEventId ? Task.FromResult(Known)
                : Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.NotFound, "not processed")));
            return new AsyncUnaryCall<ProcessedEvent>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override AsyncUnaryCall<Ownership> GetOwnershipAsync(GetOwnershipRequest request, CallOptions options) =>
            new(Task.FromResult(new Ownership { Partitions = { 0 } }), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

        public override AsyncUnaryCall<WorkerStatus> GetStatusAsync(GetStatusRequest request, CallOptions options) =>
            new(
                Task.FromResult(new WorkerStatus
                {
                    Worker = "worker",
                    Joined = true,
                    Ready = true,
                    Partitions = { new PartitionStatus { Partition = 0, Phase = PartitionStatus.Types.Phase.Serving, Reached = 1, End = 1 } },
                }),
                Task.FromResult(new Metadata()),
                () => Status.DefaultSuccess,
                () => [],
                () => { });

        public override AsyncServerStreamingCall<ProcessedEventPage> ListProcessedEvents(ListProcessedEventsRequest request, CallOptions options) =>
            new(
                new Pages(Failure, new ProcessedEventPage { Events = { Known }, Ownership = new Ownership { Partitions = { 0 } } }),
                Task.FromResult(new Metadata()),
                () => Status.DefaultSuccess,
                () => [],
                () => { });

        private sealed class Pages(Exception? failure, ProcessedEventPage page) : IAsyncStreamReader<ProcessedEventPage>
        {
            private bool _read;

            public ProcessedEventPage Current => page;

            public Task<bool> MoveNext(CancellationToken cancellationToken)
            {
                if (failure is not null)
                {
                    return Task.FromException<bool>(failure);
                }

                var more = !_read;
                _read = true;
                return Task.FromResult(more);
            }
        }
    }

    /// <summary>The fake worker as the API's only worker.</summary>
    private sealed class OneWorker(WorkerClient worker) : IWorkerDirectory
    {
        public Task<IReadOnlyList<WorkerClient>> CurrentAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WorkerClient>>([worker]);
    }

    /// <summary>A topic of one partition, which the fake worker serves.</summary>
    private sealed class OnePartitionTopic : ITopicMetadata
    {
        public string Topic => "events";

        public Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken) =>
            Task.FromException<TopicMetadata?>(new KafkaException(ErrorCode.Local_Transport));

        public Task<int?> PartitionCountAsync(CancellationToken cancellationToken) => Task.FromResult<int?>(1);
    }
}
