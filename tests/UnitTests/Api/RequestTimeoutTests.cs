using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace UnitTests.Api;

/// <summary>
/// REQUEST_TIMEOUT_MS in the test server: the deadline on an ingest request's body, and the request timeout middleware
/// on the reads of one event (it runs as in production, since no debugger is attached). Kestrel's own limits need real
/// sockets and are covered by the system tests.
/// </summary>
public sealed class RequestTimeoutTests : IDisposable
{
    private const int TimeoutMs = 1200;

    // PUBLISH_TIMEOUT_MS and WORKER_CALL_TIMEOUT_MS are 1000 in ApiWithMockedKafka: just under this.
    private readonly ApiWithMockedKafka _api = new(("REQUEST_TIMEOUT_MS", TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _release.TrySetResult();
        _api.Dispose();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_answered_408_problem_details_when_the_timeout_passes()
    {
        _api.AcknowledgeEverything();
        using var content = new StreamContent(new StalledStream("""{"userId":"u","eventType":"LO"""u8.ToArray(), _release.Task));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var clock = Stopwatch.StartNew();

        // The test server's own client: the factory's client buffers a request body to replay it on a redirect.
        using var response = await _api.Server.CreateClient().PostAsync("/events/generate", content, TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.RequestTimeout);
        Assert.Contains($"{TimeoutMs} ms", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(TimeoutMs - 100), TimeSpan.FromSeconds(15));
        Assert.Empty(_api.Published);
    }

    [Fact]
    public async Task A_publish_acknowledged_after_the_request_timeout_is_answered_201_since_kafkas_delivery_timeout_alone_bounds_it()
    {
        // Acknowledged 600 ms past REQUEST_TIMEOUT_MS: the event is written, so the answer must say so, not a 503.
        _api.Producer.Setup(p => p.ProduceAsync(It.IsAny<string>(), It.IsAny<Message<string, byte[]>>(), It.IsAny<CancellationToken>()))
            .Returns(async (string topic, Message<string, byte[]> message, CancellationToken token) =>
            {
                await Task.Delay(TimeoutMs + 600, token);
                return new DeliveryResult<string, byte[]> { Topic = topic, Message = message, Status = PersistenceStatus.Persisted, Partition = 0, Offset = 7 };
            });

        using var response = await _api.CreateClient().PostAsync(
            "/events/generate",
            new StringContent("""{"userId":"u","eventType":"LOGIN"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public void Reading_one_event_is_bounded_by_the_request_timeout_and_ingest_and_the_list_stream_are_not()
    {
        var endpoints = _api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);

        Assert.Equal("api-request", endpoints["GetProcessedEvent"].Metadata.GetMetadata<RequestTimeoutAttribute>()?.PolicyName);
        Assert.Equal("api-request", endpoints["GetProcessingStatus"].Metadata.GetMetadata<RequestTimeoutAttribute>()?.PolicyName);
        Assert.NotNull(endpoints["GenerateEvent"].Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
        Assert.NotNull(endpoints["GenerateEventBatch"].Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
        Assert.NotNull(endpoints["ListProcessedEvents"].Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
    }

    /// <summary>The start of a body, then nothing until released: a client that stopped sending.</summary>
    private sealed class StalledStream(byte[] start, Task release) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < start.Length)
            {
                var count = Math.Min(buffer.Length, start.Length - _position);
                start.AsMemory(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            await release.WaitAsync(cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
