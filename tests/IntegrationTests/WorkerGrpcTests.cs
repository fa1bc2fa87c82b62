using Grpc.Reflection.V1Alpha;
using Shared.Contracts.Grpc;

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
}
