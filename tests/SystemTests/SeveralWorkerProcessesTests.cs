using System.Net;
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
        var probe = new FailoverProbe(deployment.Api, accepted);
        await Eventually.UntilAsync(
            async () => await probe.PostAndListAsync()
                && probe.Answers.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0
                && await deployment.Api.IsReadyAsync(),
            "the survivors to serve every partition again after a 503 during the move",
            TimeSpan.FromSeconds(60));

        await deployment.Api.WaitUntilProcessedAsync(accepted);
        var final = await deployment.Api.ListAsync();
        Assert.Equal(accepted.Order(), final.Select(e => e.EventId).Order());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Answers while the partitions moved: {probe}");
    }
}
