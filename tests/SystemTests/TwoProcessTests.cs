using System.Net;
using System.Text.Json;
using Shared.Contracts.Events;

namespace SystemTests;

public sealed class TwoProcessTests
{
    [Fact]
    public async Task Events_flow_from_the_api_process_through_kafka_to_the_worker_process_and_back()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        var created = new List<UserActivityEvent>();
        foreach (var type in new[] { "LOGIN", "PRODUCT_VIEW", "LOGOUT" })
        {
            created.Add(await stack.Api.PostAsync("user-sys", type, """{"source":"system-test"}"""));
        }

        await stack.Api.WaitUntilProcessedAsync(created.Select(e => e.EventId));

        var listed = await stack.Api.ListAsync();
        Assert.Equal(created.Select(e => e.EventId).Order(), listed.Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task The_worker_logs_one_structured_line_per_processed_event_with_its_identifiers_and_position()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        var created = await stack.Api.PostAsync("user-log", "PRODUCT_VIEW");
        await stack.Api.WaitUntilProcessedAsync([created.EventId]);

        var lines = (await stack.LinesOnceWrittenAsync(created.EventId.ToString()))
            .Where(l => l.StartsWith("worker", StringComparison.Ordinal) && l.Contains(created.EventId.ToString(), StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(l.IndexOf('|', StringComparison.Ordinal) + 1)..]).RootElement)
            .ToList();

        var line = Assert.Single(lines);
        Assert.Equal(created.EventId.ToString(), line.GetProperty("EventId").GetString());
        Assert.Equal("user-log", line.GetProperty("UserId").GetString());
        Assert.Equal("PRODUCT_VIEW", line.GetProperty("EventType").GetString());
        Assert.Equal("user-activity-events", line.GetProperty("Topic").GetString());
        Assert.InRange(line.GetProperty("Partition").GetInt32(), 0, 2);
        Assert.True(line.GetProperty("Offset").GetInt64() >= 0);
    }

    [Fact]
    public async Task Sigterm_stops_both_processes_cleanly_within_the_shutdown_bound()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        var created = await stack.Api.PostAsync("user-sys", "LOGIN");
        await stack.Api.WaitUntilProcessedAsync([created.EventId]);

        var apiStopped = await stack.ApiProcess.StopAsync(TimeSpan.FromSeconds(15));
        var workerStopped = await stack.Worker.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(apiStopped, "the API should exit by itself after SIGTERM\n" + stack.Output);
        Assert.True(workerStopped, "the worker should exit by itself after SIGTERM\n" + stack.Output);
        Assert.Equal(0, stack.ApiProcess.ExitCode);
        Assert.Equal(0, stack.Worker.ExitCode);
    }

    [Fact]
    public async Task Sigterm_lets_in_flight_publishes_finish_with_their_answer_before_the_api_exits()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        // Every Kafka round trip now takes over a second, so the requests are still waiting for their
        // acknowledgement when the API is told to stop.
        stack.Broker.SetBrokerRoundTrip(-1, TimeSpan.FromMilliseconds(1200));
        var sent = Enumerable.Range(0, 4).Select(_ => new SentSignalContent("""{"userId":"u-drain","eventType":"LOGIN"}""")).ToArray();
        var posts = sent.Select(content => stack.Api.Http.PostAsync(new Uri("/events/generate", UriKind.Relative), content)).ToArray();
        await Task.WhenAll(sent.Select(content => content.Sent));

        var stopping = stack.ApiProcess.StopAsync(TimeSpan.FromSeconds(15));
        var answers = await Task.WhenAll(posts);

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Created, answer.StatusCode));
        Assert.True(await stopping, "the API should exit by itself after draining\n" + stack.Output);
        Assert.Equal(0, stack.ApiProcess.ExitCode);
    }

    /// <summary>A JSON body that says when it has been written to the connection: the request is then in flight.</summary>
    private sealed class SentSignalContent : HttpContent
    {
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly byte[] _json;

        public SentSignalContent(string json)
        {
            _json = System.Text.Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        public Task Sent => _sent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_json);
            await stream.FlushAsync();
            _sent.TrySetResult();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _json.Length;
            return true;
        }
    }
}
