using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SystemTests;

/// <summary>
/// The promise to users, under fire: every event answered 201 ends up in GET exactly once, whatever fails in
/// between. Events go through the API process while the broker goes down and comes back and the worker process is
/// killed with SIGKILL and replaced. Clients retry their 503s with the same eventId, as the API tells them to.
/// </summary>
public sealed class ChaosTests
{
    private const int Events = 3000;
    private const int Clients = 16;

    [Fact]
    public async Task Every_accepted_event_is_listed_exactly_once_after_a_broker_outage_and_a_worker_crash()
    {
        await using var deployment = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["PUBLISH_TIMEOUT_MS"] = "2000",
            ["PUBLISH_CIRCUIT_BREAK_SECONDS"] = "1",
            ["KAFKA_SESSION_TIMEOUT_MS"] = "6000",
            ["LOG_LEVEL"] = "Warning",
        });
        var ids = Enumerable.Range(0, Events).Select(_ => Guid.NewGuid()).ToArray();
        var accepted = new ConcurrentDictionary<Guid, byte>();
        var refused = new ConcurrentQueue<Guid>();
        var unavailable = 0;
        var next = -1;
        using var http = new HttpClient { BaseAddress = deployment.Api.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };

        async Task<HttpStatusCode> PostAsync(Guid id)
        {
            using var content = new StringContent(
                $$$"""{"eventId":"{{{id}}}","userId":"chaos-{{{id.ToString()[..4]}}}","eventType":"PRODUCT_VIEW","payload":{"n":1}}""",
                Encoding.UTF8,
                new MediaTypeHeaderValue("application/json"));
            using var response = await http.PostAsync(new Uri("/events/generate", UriKind.Relative), content);
            return response.StatusCode;
        }

        async Task ClientAsync()
        {
            for (var i = Interlocked.Increment(ref next); i < Events; i = Interlocked.Increment(ref next))
            {
                var status = await PostAsync(ids[i]);
                if (status == HttpStatusCode.Created)
                {
                    accepted[ids[i]] = 0;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                    Interlocked.Increment(ref unavailable);
                    refused.Enqueue(ids[i]);
                }
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(ClientAsync)).ToArray();

        // The broker goes away a fifth of the way in, and comes back once clients have felt it: the first ones wait
        // out the publish timeout, then the open circuit answers the rest at once.
        await TestSupport.Eventually.UntilAsync(() => Task.FromResult(accepted.Count >= Events / 5), "a fifth of the events to be accepted");
        deployment.Broker.SetBrokerDown(1);
        await TestSupport.Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref unavailable) >= 3 * Clients), "clients to be answered 503 during the outage");
        deployment.Broker.SetBrokerUp(1);

        // Half-way, the worker dies without committing and a new one takes over.
        await TestSupport.Eventually.UntilAsync(() => Task.FromResult(accepted.Count >= Events / 2 || next >= Events), "half of the events to be accepted");
        deployment.CrashAndRestartWorker();
        await Task.WhenAll(clients);

        // Clients retry what was refused, with the same eventId: whether or not the first try was written, the
        // event must end up listed once.
        await TestSupport.Eventually.UntilAsync(
            async () =>
            {
                var retry = refused.Count;
                for (var i = 0; i < retry && refused.TryDequeue(out var id); i++)
                {
                    if (await PostAsync(id) == HttpStatusCode.Created)
                    {
                        accepted[id] = 0;
                    }
                    else
                    {
                        refused.Enqueue(id);
                    }
                }

                return refused.IsEmpty;
            },
            "every refused event to be accepted on retry",
            TimeSpan.FromSeconds(60));

        List<Shared.Contracts.Events.UserActivityEvent> listed = [];
        await TestSupport.Eventually.UntilAsync(
            async () =>
            {
                if (!await deployment.Api.IsReadyAsync())
                {
                    return false;
                }

                listed = await deployment.Api.ListAsync();
                return listed.Count >= Events;
            },
            "every accepted event to be listed",
            TimeSpan.FromSeconds(90));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Outage summary: {Events} events, {Volatile.Read(ref unavailable)} answers were 503 during the outage and were retried.");
        Assert.True(Volatile.Read(ref unavailable) > 0, "the broker outage should have refused some requests");
        Assert.Equal(Events, accepted.Count);
        Assert.Equal(listed.Count, listed.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(ids.Order(), listed.Select(e => e.EventId).Order());
    }
}
