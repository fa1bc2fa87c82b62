using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using Shared.Contracts.Grpc;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace IntegrationTests;

/// <summary>The worker's gRPC surface as grpcurl sees it: reflection lists the services, the calls answer.</summary>
public sealed class WorkerGrpcTests(MockClusterFixture kafka)
{
    [Fact]
    public async Task Server_reflection_lists_the_event_store_health_and_reflection_services()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}");
        using var channel = flow.WorkerChannel(0);

        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("useractivity.v1.ProcessedEvents", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Ownership_names_the_partitions_the_worker_serves_and_a_list_starts_with_it()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}");
        using var channel = flow.WorkerChannel(0);
        var client = new ProcessedEvents.ProcessedEventsClient(channel);

        var ownership = await client.GetOwnershipAsync(new GetOwnershipRequest(), cancellationToken: TestContext.Current.CancellationToken);
        using var list = client.ListProcessedEvents(new ListProcessedEventsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(await list.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal([0, 1, 2], ownership.Partitions.Order());
        Assert.Equal(ownership.Partitions.Order(), list.ResponseStream.Current.Ownership.Partitions.Order());
        Assert.Empty(list.ResponseStream.Current.Events);
    }

    [Fact]
    public async Task A_lookup_with_an_offset_to_reflect_waits_until_the_consume_loop_stores_the_event_and_answers_it()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}", partitions: 1);
        var client = new ProcessedEvents.ProcessedEventsClient(flow.WorkerChannel(0));
        var first = await StoredAsync(flow, client);
        var next = Guid.NewGuid();

        // The next event will be written right after the first: the worker has not got it, and waits.
        using var lookup = client.GetProcessedEventAsync(
            new GetProcessedEventRequest { EventId = next.ToString(), Partition = 0, MinOffset = first.Offset + 1, WaitMs = 120_000 },
            cancellationToken: TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(async () => (await StatusAsync(client)).Partitions.Single().WaitingReads == 1, "the lookup to wait");
        Assert.False(lookup.ResponseAsync.IsCompleted);
        await flow.Api.PostAsync("user-2", "LOGOUT", eventId: next);

        var found = await lookup.ResponseAsync;

        Assert.Equal(next.ToString(), found.EventId);
        Assert.Equal(first.Offset + 1, found.Offset);
        Assert.Equal(0, (await StatusAsync(client)).Partitions.Single().WaitingReads);
    }

    [Fact]
    public async Task A_list_with_offsets_to_reflect_waits_for_them_and_its_ownership_says_the_offsets_it_reflects()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}", partitions: 1);
        var client = new ProcessedEvents.ProcessedEventsClient(flow.WorkerChannel(0));
        var first = await StoredAsync(flow, client);

        using var list = client.ListProcessedEvents(
            new ListProcessedEventsRequest { MinOffsets = { [0] = first.Offset + 1 }, WaitMs = 120_000 },
            cancellationToken: TestContext.Current.CancellationToken);
        var firstPage = list.ResponseStream.MoveNext(TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(async () => (await StatusAsync(client)).Partitions.Single().WaitingReads == 1, "the list to wait");
        Assert.False(firstPage.IsCompleted);
        var second = await flow.Api.PostAsync("user-2", "LOGOUT");

        Assert.True(await firstPage);
        var page = list.ResponseStream.Current;
        Assert.Equal([first.EventId, second.EventId.ToString()], page.Events.Select(e => e.EventId));
        Assert.Equal(first.Offset + 2, page.Ownership.Reached[0]);
    }

    [Fact]
    public async Task A_lookup_whose_offset_is_not_stored_within_the_wait_is_answered_failed_precondition_never_not_found()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}", partitions: 1);
        var client = new ProcessedEvents.ProcessedEventsClient(flow.WorkerChannel(0));
        var first = await StoredAsync(flow, client);

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GetProcessedEventAsync(
            new GetProcessedEventRequest { EventId = Guid.NewGuid().ToString(), Partition = 0, MinOffset = first.Offset + 5, WaitMs = 100 },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        var notFound = await Assert.ThrowsAsync<RpcException>(() => client.GetProcessedEventAsync(
            new GetProcessedEventRequest { EventId = Guid.NewGuid().ToString(), Partition = 0, MinOffset = first.Offset, WaitMs = 100 },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains($"not past {first.Offset + 5}", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        var status = await StatusAsync(client);
        Assert.Equal(0, status.Partitions.Single().WaitingReads);
        Assert.Equal(1, flow.WorkerServicesOf(0).GetRequiredService<Consumer.Worker.Grpc.ReadWaitMetrics>().Total(Consumer.Worker.Consuming.WaitOutcome.TimedOut));
    }

    [Fact]
    public async Task The_status_names_each_partition_its_phase_the_offset_reached_the_end_and_the_lag()
    {
        await using var flow = await kafka.StartFlowAsync($"grpc-{Guid.NewGuid():N}", partitions: 3);
        var client = new ProcessedEvents.ProcessedEventsClient(flow.WorkerChannel(0));
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await flow.Api.PostAsync($"user-{i}", "LOGIN")).EventId);
        }

        await flow.Api.WaitUntilProcessedAsync(ids);
        var perPartition = ids.GroupBy(id => Shared.Contracts.Events.EventPartitioner.PartitionOf(id, 3)).ToDictionary(g => g.Key, g => (long)g.Count());

        // The end is refreshed from the consumer's fetches while the loop is idle.
        await Eventually.UntilAsync(
            async () => (await StatusAsync(client)).Partitions.All(p => p.End == perPartition.GetValueOrDefault(p.Partition)),
            "every partition's end to be seen");
        var status = await StatusAsync(client);

        Assert.True(status.Ready);
        Assert.True(status.Joined);
        Assert.Equal([0, 1, 2], status.Partitions.Select(p => p.Partition));
        Assert.All(status.Partitions, p =>
        {
            Assert.Equal(PartitionStatus.Types.Phase.Serving, p.Phase);
            Assert.Equal(perPartition.GetValueOrDefault(p.Partition), p.Reached);
            Assert.Equal(0, p.Lag);
            Assert.Equal(0, p.EndAtAssignment);
        });
    }

    private static async Task<WorkerStatus> StatusAsync(ProcessedEvents.ProcessedEventsClient client) =>
        await client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Posts one event and waits until the worker has stored it; returns it as the worker holds it.</summary>
    private static async Task<ProcessedEvent> StoredAsync(InProcessEventFlow flow, ProcessedEvents.ProcessedEventsClient client)
    {
        var posted = await flow.Api.PostAsync("user-1", "LOGIN");
        await flow.Api.WaitUntilProcessedAsync([posted.EventId]);
        return await client.GetProcessedEventAsync(
            new GetProcessedEventRequest { EventId = posted.EventId.ToString() },
            cancellationToken: TestContext.Current.CancellationToken);
    }
}
