using System.Net;
using System.Net.Http.Json;
using Shared.Contracts.Events;
using TestSupport;

namespace SystemTests;

public sealed class SeveralWorkerProcessesTests
{
    [Fact]
    public async Task When_one_of_three_workers_is_killed_the_survivors_take_its_partitions_and_no_answer_in_between_is_wrong()
    {
        await using var deployment = await ProcessDeployment.StartAsync(
            workers: 3, settings: new Dictionary<string, string> { ["KAFKA_SESSION_TIMEOUT_MS"] = "3000", ["LOG_LEVEL"] = "Warning" });
        var accepted = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            accepted.Add((await deployment.Api.PostAsync($"user-{i}", "LOGIN")).EventId);
        }

        await deployment.Api.WaitUntilProcessedAsync(accepted);

        deployment.CrashWorker(1);
        var answers = new Dictionary<HttpStatusCode, int>();
        var posting = 0;
        await Eventually.UntilAsync(
            async () =>
            {
                // Events keep flowing while the group notices the dead member and moves its partitions.
                accepted.Add((await deployment.Api.PostAsync($"user-more-{posting++}", "PRODUCT_VIEW")).EventId);
                using var response = await deployment.Api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative));
                answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    return false;
                }

                // A complete answer never holds an event twice nor one never accepted. (Nor does it lack one an earlier
                // answer listed: a new owner serves a partition only once caught up to its end as of the assignment;
                // CrashBeforeCommitTests guards that.)
                var listed = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ListUserActivityEvent))!.Select(e => e.EventId).ToList();
                Assert.Equal(listed.Count, listed.Distinct().Count());
                Assert.Subset(accepted.ToHashSet(), listed.ToHashSet());
                return answers.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0 && await deployment.Api.IsReadyAsync();
            },
            "the survivors to serve every partition again after a 503 during the move",
            TimeSpan.FromSeconds(60));

        await deployment.Api.WaitUntilProcessedAsync(accepted);
        var final = await deployment.Api.ListAsync();
        Assert.Equal(accepted.Order(), final.Select(e => e.EventId).Order());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Answers while the partitions moved: {string.Join(", ", answers.Select(a => $"{(int)a.Key}: {a.Value}"))}");
    }
}
