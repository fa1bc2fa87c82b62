using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Shared.Contracts.Consistency;
using TestSupport;

namespace SystemTests;

public sealed class SeveralWorkerProcessesTests
{
    /// <summary>
    /// One deployment of three workers for both checks, since each start and each move of partitions costs seconds: read
    /// your writes through the token on three workers, then a worker killed with SIGKILL in the middle of more of them.
    /// </summary>
    [Fact]
    public async Task When_one_of_three_workers_is_killed_the_survivors_take_its_partitions_and_no_answer_in_between_is_wrong()
    {
        await using var deployment = await ProcessDeployment.StartAsync(
            workers: 3, settings: new Dictionary<string, string> { ["KAFKA_SESSION_TIMEOUT_MS"] = "3000", ["LOG_LEVEL"] = "Warning" });

        // On three workers, 1,000 events each read by id at once with its 201's token: every first read is 200.
        var accepted = new List<Guid>();
        var steady = await PostThenReadWithTokenAsync(deployment.Api.Http, 1_000, accepted, halfway: null);
        Assert.True(steady.All(a => a == HttpStatusCode.OK), $"on three workers every first read with its token should be 200: {Summary(steady)}");
        await deployment.Api.WaitUntilProcessedAsync(accepted);

        // 1,000 more, worker 1 killed halfway: a read of its partitions waits for the survivors to take them over, or is
        // 503, never 404. Meanwhile the probe posts and lists: complete or 503 until the survivors serve everything.
        var probe = new FailoverProbe(deployment.Api, accepted);
        Task? failover = null;
        var killed = await PostThenReadWithTokenAsync(deployment.Api.Http, 1_000, accepted, halfway: () =>
        {
            deployment.CrashWorker(1);
            failover = Eventually.UntilAsync(
                async () => await probe.PostAndListAsync()
                    && probe.Answers.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0
                    && await deployment.Api.IsReadyAsync(),
                "the survivors to serve every partition again after a 503 during the move",
                TimeSpan.FromSeconds(60));
        });
        Assert.True(
            killed.All(a => a is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable),
            $"with a worker killed, a read with its token should be 200 or 503: {Summary(killed)}");
        await failover!;
        await deployment.Api.WaitUntilProcessedAsync(accepted);
        var final = await deployment.Api.ListAsync();
        Assert.Equal(accepted.Order(), final.Select(e => e.EventId).Order());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Reads with a token on three workers: {Summary(steady)}; with one killed halfway: {Summary(killed)}. Answers while the partitions moved: {probe}");
    }

    /// <summary>
    /// Eight clients at a time, each posting an event and at once reading it by id with the 201's token: one read each,
    /// no retry. Each eventId is chosen here and added to <paramref name="accepted"/> (under its lock) before it is
    /// posted, so a list taken meanwhile never holds an event the test does not know. Returns the status of every read.
    /// </summary>
    private static async Task<List<HttpStatusCode>> PostThenReadWithTokenAsync(HttpClient http, int count, List<Guid> accepted, Action? halfway)
    {
        var answers = new ConcurrentQueue<HttpStatusCode>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (i == count / 2)
                {
                    halfway?.Invoke();
                }

                var eventId = Guid.NewGuid();
                lock (accepted)
                {
                    accepted.Add(eventId);
                }

                using var content = new StringContent(
                    $$"""{"eventId":"{{eventId}}","userId":"token-{{i}}","eventType":"LOGIN"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                using var created = await http.PostAsync(new Uri("/events/generate", UriKind.Relative), content);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                using var read = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
                read.Headers.Add(ConsistencyToken.HeaderName, created.Headers.GetValues(ConsistencyToken.HeaderName));
                using var answer = await http.SendAsync(read);
                answers.Enqueue(answer.StatusCode);
            }
        }));
        return [.. answers];
    }

    private static string Summary(List<HttpStatusCode> answers) =>
        string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key}: {g.Count()}"));
}
