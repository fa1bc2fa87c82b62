using System.Text;
using Consumer.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Shared.Contracts.Events;

namespace IntegrationTests;

public sealed class LargeStoreTests(MockClusterFixture kafka)
{
    [Fact]
    public async Task The_list_streams_a_store_far_larger_than_one_grpc_message_in_processing_order()
    {
        await using var flow = await kafka.StartFlowAsync($"large-{Guid.NewGuid():N}");
        var store = flow.WorkerServices.GetRequiredService<IProcessedEventStore>();
        var payload = Encoding.UTF8.GetBytes($$"""{"page":"/products/{{new string('p', 150)}}"}""");
        var ids = new Guid[40_000];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.CreateVersion7();
            var timestamp = DateTimeOffset.UtcNow;
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            EventJsonWriter.Write(json, ids[i], $"user-{i}", EventType.ProductView, timestamp, payload);
            store.TryAdd(new StoredEvent(ids[i], $"user-{i}", EventType.ProductView, timestamp, json.WrittenSpan.ToArray(), i % 3, i));
        }

        // About 10 MB of events: well past gRPC's 4 MB default message limit, so it only works as a stream of pages.
        var listed = await flow.Api.ListAsync();

        Assert.Equal(ids, listed.Select(e => e.EventId));
        Assert.All(listed, e => Assert.StartsWith("/products/", e.Payload.GetProperty("page").GetString(), StringComparison.Ordinal));
    }
}
