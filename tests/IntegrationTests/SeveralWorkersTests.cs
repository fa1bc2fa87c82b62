using System.Net;
using System.Net.Http.Json;
using Consumer.Worker.Consuming;
using Consumer.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Shared.Contracts.Events;
using TestSupport;

namespace IntegrationTests;

/// <summary>Several workers in one consumer group: each holds its partitions, and the API answers for all of them.</summary>
public sealed class SeveralWorkersTests(MockClusterFixture kafka)
{
    private Task<InProcessEventFlow> StartAsync(int partitions, int workers, int spareWorkers = 0) =>
        kafka.StartFlowAsync($"several-{Guid.NewGuid():N}", partitions, workers, spareWorkers);

    private static async Task<List<Guid>> PostAsync(InProcessEventFlow flow, int count)
    {
        var ids = new List<Guid>();
        var types = new[] { "LOGIN", "PRODUCT_VIEW", "LOGOUT" };
        for (var i = 0; i < count; i++)
        {
            ids.Add((await flow.Api.PostAsync($"user-{i}", types[i % 3])).EventId);
        }

        return ids;
    }

    [Fact]
    public async Task Three_workers_split_the_partitions_and_the_api_lists_and_finds_every_event_exactly_once()
    {
        await using var flow = await StartAsync(partitions: 3, workers: 3);
        await flow.WaitUntilEveryWorkerServesAsync();

        var ids = await PostAsync(flow, 60);
        await flow.Api.WaitUntilProcessedAsync(ids);

        var held = Enumerable.Range(0, 3).Select(i => flow.WorkerServicesOf(i).GetRequiredService<IProcessedEventStore>().Count).ToList();
        Assert.All(held, count => Assert.True(count > 0, $"every worker should hold some events: {string.Join(",", held)}"));
        Assert.Equal(ids.Count, held.Sum());
        var listed = await flow.Api.ListAsync();
        Assert.Equal(ids.Order(), listed.Select(e => e.EventId).Order());
        foreach (var id in ids)
        {
            Assert.Equal(id, (await flow.Api.FindAsync(id))?.EventId);
        }

        // Processed once, by the workers' own counts: each event stored once across the three, none met twice.
        var counts = Enumerable.Range(0, 3).Select(i => flow.WorkerServicesOf(i).GetRequiredService<WorkerMetrics>()).ToList();
        Assert.Equal(ids.Count, counts.Sum(c => c.Total(HandleOutcome.Stored)));
        Assert.Equal(0, counts.Sum(c => c.Total(HandleOutcome.Duplicate)));

        // Each event is on the partition its eventId names (murmur2, as the API computes it to find the owner).
        var stored = Enumerable.Range(0, 3).SelectMany(i => flow.WorkerServicesOf(i).GetRequiredService<IProcessedEventStore>().Snapshot());
        Assert.All(stored, e => Assert.Equal(EventPartitioner.PartitionOf(e.EventId, 3), e.Partition));
    }

    [Fact]
    public async Task While_a_new_worker_takes_partitions_every_list_answer_is_complete_or_a_503_never_a_list_with_holes_or_doubles()
    {
        await using var flow = await StartAsync(partitions: 6, workers: 3, spareWorkers: 1);
        var ids = await PostAsync(flow, 60);
        await flow.Api.WaitUntilProcessedAsync(ids);

        // A fourth worker joins: the cooperative assignor moves some partitions to it, which it rebuilds.
        flow.StartWorker(3);
        var answers = new List<(HttpStatusCode Status, List<Guid>? Listed)>();
        await Eventually.UntilAsync(
            async () =>
            {
                using var response = await flow.Api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative));
                List<Guid>? listedIds = null;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var listed = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ListUserActivityEvent);
                    listedIds = [.. listed!.Select(e => e.EventId)];
                    Assert.Equal(ids.Order(), listed!.Select(e => e.EventId).Order());
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                }

                answers.Add((response.StatusCode, listedIds));
                return flow.WorkerServicesOf(3).GetRequiredService<IProcessedEventStore>().Count > 0
                    && response.StatusCode == HttpStatusCode.OK;
            },
            "the fourth worker to take over partitions and the list to be complete again");

        // Every answer seen while partitions moved was complete (each event once, none missing) or a 503.
        Assert.NotEmpty(answers);
        Assert.All(answers, answer =>
        {
            if (answer.Status == HttpStatusCode.OK)
            {
                Assert.Equal(ids.Order(), answer.Listed!.Order());
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            }
        });
        Assert.Equal(ids.Order(), (await flow.Api.ListAsync()).Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task When_a_worker_leaves_the_others_rebuild_its_partitions_and_answers_are_complete_again()
    {
        await using var flow = await StartAsync(partitions: 3, workers: 3);
        var ids = await PostAsync(flow, 30);
        await flow.Api.WaitUntilProcessedAsync(ids);

        await flow.StopWorkerAsync(1);
        var more = await PostAsync(flow, 15);

        await flow.WaitUntilReadyAsync();
        await flow.Api.WaitUntilProcessedAsync(more);
        Assert.Equal(ids.Concat(more).Order(), (await flow.Api.ListAsync()).Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task Paging_through_three_workers_with_the_next_link_visits_every_event_exactly_once()
    {
        await using var flow = await StartAsync(partitions: 3, workers: 3);
        var ids = await PostAsync(flow, 50);
        await flow.Api.WaitUntilProcessedAsync(ids);

        var seen = new List<Guid>();
        var next = "/events/processed?limit=7";
        var pages = 0;
        while (next is not null)
        {
            using var response = await flow.Api.Http.GetAsync(new Uri(next, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ListUserActivityEvent, TestContext.Current.CancellationToken);
            Assert.InRange(page!.Count, 0, 7);
            seen.AddRange(page.Select(e => e.EventId));
            next = response.Headers.TryGetValues("Link", out var links)
                ? links.Single().Split('<', '>')[1]
                : null;
            Assert.True(++pages <= 10, "paging should end");
        }

        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public async Task Filters_select_by_user_type_and_time_across_workers()
    {
        await using var flow = await StartAsync(partitions: 3, workers: 3);
        var ids = await PostAsync(flow, 30);
        await flow.Api.WaitUntilProcessedAsync(ids);

        var logins = await GetPageAsync(flow, "/events/processed?eventType=LOGIN&limit=1000");
        var user = await GetPageAsync(flow, "/events/processed?userId=user-4");
        var future = await GetPageAsync(flow, $"/events/processed?since={DateTimeOffset.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}");

        Assert.Equal(10, logins.Count);
        Assert.All(logins, e => Assert.Equal(EventType.Login, e.EventType));
        Assert.Equal("user-4", Assert.Single(user).UserId);
        Assert.Empty(future);
    }

    [Theory]
    [InlineData("/events/processed?limit=0", "limit")]
    [InlineData("/events/processed?limit=5000", "limit")]
    [InlineData("/events/processed?eventType=SIGNUP", "eventType")]
    [InlineData("/events/processed?since=yesterday", "since")]
    [InlineData("/events/processed?cursor=%21%21", "cursor")]
    public async Task A_bad_filter_or_cursor_is_answered_400_naming_it(string url, string field)
    {
        await using var flow = await StartAsync(partitions: 3, workers: 1);

        using var response = await flow.Api.Http.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static async Task<List<UserActivityEvent>> GetPageAsync(InProcessEventFlow flow, string url)
    {
        using var response = await flow.Api.Http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ListUserActivityEvent))!;
    }
}
