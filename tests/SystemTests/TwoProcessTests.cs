using Shared.Contracts.Events;

namespace SystemTests;

public sealed class TwoProcessTests
{
    [Fact]
    public async Task Events_flow_from_the_api_process_through_kafka_to_the_worker_process_and_back()
    {
        await using var stack = await TwoProcessDeployment.StartAsync();
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
    public async Task Sigterm_stops_both_processes_cleanly_within_the_shutdown_bound()
    {
        await using var stack = await TwoProcessDeployment.StartAsync();
        var created = await stack.Api.PostAsync("user-sys", "LOGIN");
        await stack.Api.WaitUntilProcessedAsync([created.EventId]);

        var apiStopped = await stack.ApiProcess.StopAsync(TimeSpan.FromSeconds(15));
        var workerStopped = await stack.Worker.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(apiStopped, "the API should exit by itself after SIGTERM\n" + stack.Output);
        Assert.True(workerStopped, "the worker should exit by itself after SIGTERM\n" + stack.Output);
        Assert.Equal(0, stack.ApiProcess.ExitCode);
        Assert.Equal(0, stack.Worker.ExitCode);
    }
}
