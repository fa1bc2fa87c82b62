using Confluent.Kafka;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MsOptions = Microsoft.Extensions.Options.Options;
using Polly.Registry;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Producer.Api.Workers;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace UnitTests.Api;

/// <summary>
/// GET one across workers: an event held anywhere is found; "not processed" is said only on the word of the worker
/// that serves the event's partition; without such a worker the answer is "cannot tell" (503), never a false 404.
/// </summary>
public sealed class WorkerFanOutTests
{
    private const int Partitions = 3;
    private static readonly Guid EventId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    private static readonly int PartitionOfEvent = EventPartitioner.PartitionOf(EventId, Partitions);

    [Fact]
    public async Task An_event_held_by_a_worker_that_does_not_serve_its_partition_is_found()
    {
        // A worker that lost the partition keeps its events: a processed event stays processed.
        var keeper = new FakeWorker(_ => Found());
        var fanOut = FanOut(Partitions, new FakeWorker(_ => NotServed()), keeper);

        var found = await fanOut.FindAsync(EventId, TestContext.Current.CancellationToken);

        Assert.Equal(EventId.ToString(), found?.EventId);
    }

    [Fact]
    public async Task Not_processed_is_the_answer_only_when_the_worker_serving_the_partition_says_it_has_not_got_the_event()
    {
        var serving = new FakeWorker(_ => NotFound());
        var fanOut = FanOut(Partitions, new FakeWorker(_ => NotServed()), serving, new FakeWorker(_ => Unreachable()));

        Assert.Null(await fanOut.FindAsync(EventId, TestContext.Current.CancellationToken));
        // The workers are told which partition the event's key lands on, as the API published it.
        Assert.All(serving.Asked, request => Assert.Equal(PartitionOfEvent, request.Partition));
    }

    [Fact]
    public async Task When_no_worker_serves_the_partition_a_missing_event_is_unavailable_not_unprocessed()
    {
        // Rebuilding or catching up after a rebalance, or kept by a worker that lost it: nobody can say "not processed".
        var fanOut = FanOut(Partitions, new FakeWorker(_ => NotServed()), new FakeWorker(_ => NotServed()));

        await Assert.ThrowsAsync<WorkersUnavailableException>(() => fanOut.FindAsync(EventId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Without_the_partition_count_a_not_found_cannot_be_told_from_not_served()
    {
        var worker = new FakeWorker(_ => NotFound());
        var fanOut = FanOut(partitions: null, worker);

        await Assert.ThrowsAsync<WorkersUnavailableException>(() => fanOut.FindAsync(EventId, TestContext.Current.CancellationToken));
        Assert.All(worker.Asked, request => Assert.False(request.HasPartition));
    }

    [Fact]
    public async Task When_every_worker_is_unreachable_the_failure_is_theirs()
    {
        var fanOut = FanOut(Partitions, new FakeWorker(_ => Unreachable()), new FakeWorker(_ => Unreachable()));

        var failure = await Assert.ThrowsAsync<RpcException>(() => fanOut.FindAsync(EventId, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    private static WorkerFanOut FanOut(int? partitions, params FakeWorker[] workers)
    {
        var pipelines = new ServiceCollection().AddWorkerCallPipeline().BuildServiceProvider().GetRequiredService<ResiliencePipelineProvider<string>>();
        return new WorkerFanOut(
            new Directory([.. workers.Select((w, i) => new WorkerClient(new Uri($"http://worker-{i}"), w))]),
            new KnownTopic(partitions),
            MsOptions.Create(new ProducerApiOptions()),
            pipelines,
            TimeProvider.System);
    }

    private static Task<ProcessedEvent> Found() => Task.FromResult(new ProcessedEvent { EventId = EventId.ToString(), Partition = PartitionOfEvent });

    private static Task<ProcessedEvent> NotFound() => Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.NotFound, "not processed")));

    private static Task<ProcessedEvent> NotServed() =>
        Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.FailedPrecondition, "partition not served here")));

    private static Task<ProcessedEvent> Unreachable() => Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.Unavailable, "refused")));

    /// <summary>A worker's gRPC client that answers GetProcessedEvent as told and remembers the requests.</summary>
    private sealed class FakeWorker(Func<GetProcessedEventRequest, Task<ProcessedEvent>> answer) : ProcessedEvents.ProcessedEventsClient
    {
        public List<GetProcessedEventRequest> Asked { get; } = [];

        public override AsyncUnaryCall<ProcessedEvent> GetProcessedEventAsync(GetProcessedEventRequest request, CallOptions options)
        {
            lock (Asked)
            {
                Asked.Add(request);
            }

            return new AsyncUnaryCall<ProcessedEvent>(answer(request), Task.FromResult(new Grpc.Core.Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }
    }

    private sealed class Directory(IReadOnlyList<WorkerClient> workers) : IWorkerDirectory
    {
        public Task<IReadOnlyList<WorkerClient>> CurrentAsync(CancellationToken cancellationToken) => Task.FromResult(workers);
    }

    private sealed class KnownTopic(int? partitions) : ITopicMetadata
    {
        public string Topic => "events";

        public Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken) =>
            Task.FromException<TopicMetadata?>(new KafkaException(ErrorCode.Local_Transport));

        public Task<int?> PartitionCountAsync(CancellationToken cancellationToken) => Task.FromResult(partitions);
    }
}
