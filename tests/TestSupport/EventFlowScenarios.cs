using System.Net;
using System.Text;
using Shared.Contracts.Events;

namespace TestSupport;

/// <summary>
/// The end-to-end behaviour every deployment must show, whatever Kafka runs underneath: the mock cluster in
/// process, a Kafka container, or a live Compose stack. Each test gets a topic and a consumer group of its own.
/// </summary>
public abstract class EventFlowScenarios : IAsyncLifetime
{
    /// <summary>Marks this test's users, so a shared store (a live stack) can be read for this test's events only.</summary>
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private IEventFlow? _flow;

    protected IEventFlow Flow => _flow ?? throw new InvalidOperationException("The flow did not start.");

    protected EventsApi Api => Flow.Api;

    /// <summary>Starts the API and worker, or calls Assert.Skip with the reason they cannot run here.</summary>
    protected abstract Task<IEventFlow> StartFlowAsync(string topic, string group);

    public async ValueTask InitializeAsync()
    {
        _flow = await StartFlowAsync($"user-activity-events-{_run}", $"user-activity-consumer-group-{_run}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_flow is not null)
        {
            await _flow.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task An_accepted_event_is_found_by_id_and_in_the_list_with_the_fields_it_was_given()
    {
        var created = await Api.PostAsync(User("user-1"), "PRODUCT_VIEW", """{"sku":"A-1","price":9.5}""");

        // Read your writes: with the POST's consistency token the first read reflects the event, no polling.
        var found = await Api.FindAfterWritesAsync(created.EventId);
        Assert.NotNull(found);
        Assert.Equal(created.UserId, found.UserId);
        Assert.Equal(created.EventType, found.EventType);
        Assert.Equal(created.Timestamp, found.Timestamp);
        Assert.Equal("A-1", found.Payload.GetProperty("sku").GetString());
        var listed = Assert.Single(await ListMineAsync());
        Assert.Equal(created.EventId, listed.EventId);
    }

    [Fact]
    public async Task Events_of_every_type_are_each_listed_exactly_once()
    {
        var created = new List<UserActivityEvent>();
        foreach (var type in new[] { "LOGIN", "PRODUCT_VIEW", "LOGOUT" })
        {
            for (var i = 0; i < 5; i++)
            {
                created.Add(await Api.PostAsync(User($"user-{i}"), type, $$"""{"n":{{i}}}"""));
            }
        }

        // One list with the session's token (it covers every POST) waits until the workers have stored them all.
        await Api.ListAfterWritesAsync();

        var listed = await ListMineAsync();
        Assert.Equal(created.Select(e => e.EventId).Order(), listed.Select(e => e.EventId).Order());
        Assert.Equal(5, listed.Count(e => e.EventType == EventType.Login));
        Assert.Equal(5, listed.Count(e => e.EventType == EventType.ProductView));
        Assert.Equal(5, listed.Count(e => e.EventType == EventType.Logout));
        AssertProcessedByTheWorker(stored: created.Count, duplicates: 0);
    }

    [Fact]
    public async Task The_same_client_eventId_posted_three_times_is_processed_once()
    {
        var eventId = Guid.NewGuid();
        for (var i = 0; i < 3; i++)
        {
            await Api.PostAsync(User("user-dup"), "LOGIN", eventId: eventId);
        }

        // An event posted after the copies: once it is processed, every copy before it on its partition was too.
        var marker = await Api.PostAsync(User("user-dup"), "LOGOUT", eventId: NextOnSamePartitionAs(eventId));
        await Api.WaitUntilProcessedAsync([eventId, marker.EventId]);

        var listed = await ListMineAsync();
        Assert.Single(listed, e => e.EventId == eventId);
        // Listed once is what one dictionary gives whatever the key; the worker's own counts say it stored the event
        // once (and the marker) and met the two other copies as duplicates.
        AssertProcessedByTheWorker(stored: 2, duplicates: 2);
    }

    [Fact]
    public async Task Every_event_of_a_batch_is_processed_once_even_when_the_batch_is_sent_twice()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        var body = "[" + string.Join(",", ids.Select((id, i) =>
            $$$"""{"eventId":"{{{id}}}","userId":"{{{User("user-batch")}}}","eventType":"PRODUCT_VIEW","payload":{"n":{{{i}}}}}""")) + "]";

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await Api.Http.PostAsync(
                new Uri("/events/generate/batch", UriKind.Relative),
                new StringContent(body, Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"accepted\":20", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        // Markers after the second copy on each event's partition: once they are processed, every copy before them was.
        var markers = new List<Guid>();
        foreach (var id in ids)
        {
            markers.Add((await Api.PostAsync(User("user-batch"), "LOGOUT", eventId: NextOnSamePartitionAs(id))).EventId);
        }

        await Api.WaitUntilProcessedAsync([.. ids, .. markers]);
        var listed = await ListMineAsync();
        Assert.All(ids, id => Assert.Single(listed, e => e.EventId == id));
        AssertProcessedByTheWorker(stored: ids.Count + markers.Count, duplicates: ids.Count);
    }

    [Fact]
    public async Task Invalid_requests_get_their_status_codes_and_nothing_reaches_the_store()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostRawAsync("{\"userId\":\"u\",")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostRawAsync("{\"userId\":\"u\",\"eventType\":\"NOPE\"}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostRawAsync("{\"userId\":\"\",\"eventType\":\"LOGIN\"}")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Api.PostRawAsync("{}", "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Api.PostRawAsync(
            "{\"userId\":\"u\",\"eventType\":\"LOGIN\",\"payload\":{\"x\":\"" + new string('x', 70_000) + "\"}}")).StatusCode);
        var valid = await Api.PostAsync(User("user-ok"), "LOGIN");

        await Api.WaitUntilProcessedAsync([valid.EventId]);

        Assert.Equal(valid.EventId, Assert.Single(await ListMineAsync()).EventId);
    }

    [Fact]
    public async Task A_malformed_message_written_straight_to_the_topic_does_not_stop_later_events()
    {
        // Same key on purpose: the bad messages and the good event share a partition, so the good one can only be
        // processed after the consumer got past the bad ones.
        var key = Guid.NewGuid();
        await KafkaTestClient.ProduceRawAsync(Flow.BootstrapServers, Flow.Topic, key.ToString(), Encoding.UTF8.GetBytes("this is not json"));
        await KafkaTestClient.ProduceRawAsync(Flow.BootstrapServers, Flow.Topic, key.ToString(), Encoding.UTF8.GetBytes("""{"eventId":"x","userId":5}"""));

        var after = await Api.PostAsync(User("user-after"), "LOGIN", eventId: key);

        await Api.WaitUntilProcessedAsync([after.EventId]);
        Assert.Equal(after.EventId, Assert.Single(await ListMineAsync()).EventId);
    }

    [Fact]
    public async Task A_restarted_worker_resumes_from_the_committed_offset_without_reprocessing_or_losing_any()
    {
        var worker = Flow.Worker;
        if (worker is null)
        {
            Assert.Skip("This deployment's worker cannot be restarted by the test.");
        }

        var before = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            before.Add((await Api.PostAsync(User($"user-{i}"), "LOGIN")).EventId);
        }

        await Api.WaitUntilProcessedAsync(before);
        await worker.StopAsync();

        // Accepted while no worker runs: Kafka holds them until one is back.
        var during = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            during.Add((await Api.PostAsync(User($"user-{i}"), "PRODUCT_VIEW")).EventId);
        }

        await worker.StartAsync();
        await Api.WaitUntilProcessedAsync(during);

        // The new worker rebuilt the earlier events from the log and processed only the later ones: had it
        // resumed before the committed offsets, it would have processed the earlier events again.
        var listed = await ListMineAsync();
        Assert.Equal(before.Concat(during).Order(), listed.Select(e => e.EventId).Order());
        Assert.Equal(during.Count, worker.ProcessedSinceStart);
    }

    [Fact]
    public async Task A_malformed_message_goes_to_the_dead_letter_topic_saying_where_it_came_from_and_why()
    {
        var key = Guid.NewGuid().ToString();
        await KafkaTestClient.ProduceRawAsync(Flow.BootstrapServers, Flow.Topic, key, Encoding.UTF8.GetBytes("{\"eventId\": 42"));

        var deadLetters = KafkaTestClient.ConsumeFromStart(Flow.BootstrapServers, Flow.DeadLetterTopic, count: 1, TimeSpan.FromSeconds(30))
            .Where(m => m.Message.Key == key)
            .ToList();

        var deadLetter = Assert.Single(deadLetters);
        Assert.Equal("{\"eventId\": 42", Encoding.UTF8.GetString(deadLetter.Message.Value!));
        Assert.Equal(Flow.Topic, Header(deadLetter, "dlq-original-topic"));
        Assert.True(long.Parse(Header(deadLetter, "dlq-original-offset"), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Contains("JSON", Header(deadLetter, "dlq-reason"), StringComparison.Ordinal);
    }

    /// <summary>The worker's own counts since it started, where the test can read them (not on a live stack).</summary>
    private void AssertProcessedByTheWorker(long stored, long duplicates)
    {
        if (Flow.Worker is { } worker)
        {
            Assert.Equal(stored, worker.ProcessedSinceStart);
            Assert.Equal(duplicates, worker.DuplicatesSinceStart);
        }
    }

    private static string Header(Confluent.Kafka.ConsumeResult<string?, byte[]?> message, string key) =>
        Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes(key));

    private string User(string name) => $"{name}-{_run}";

    /// <summary>
    /// The processed events of this test. Where the flow's store belongs to this test alone, it must hold nothing
    /// else: an event in it that this test never had accepted is a failure too.
    /// </summary>
    private async Task<List<UserActivityEvent>> ListMineAsync()
    {
        var all = await Api.ListAsync();
        var mine = all.Where(e => e.UserId.EndsWith(_run, StringComparison.Ordinal)).ToList();
        if (Flow.OwnsStore)
        {
            Assert.Equal(all.Count, mine.Count);
        }

        return mine;
    }

    /// <summary>Another eventId whose key lands on the same partition as <paramref name="eventId"/>.</summary>
    private static Guid NextOnSamePartitionAs(Guid eventId)
    {
        const int partitions = 3;
        var target = EventPartitioner.PartitionOf(eventId, partitions);
        while (true)
        {
            var candidate = Guid.NewGuid();
            if (EventPartitioner.PartitionOf(candidate, partitions) == target)
            {
                return candidate;
            }
        }
    }
}
