using Confluent.Kafka;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MsOptions = Microsoft.Extensions.Options.Options;
using Polly.Registry;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Producer.Api.Workers;
using Shared.Contracts.Consistency;
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

        var found = await fanOut.FindAsync(EventId, token: null, TestContext.Current.CancellationToken);

        Assert.Equal(EventId.ToString(), found?.EventId);
    }

    [Fact]
    public async Task Not_processed_is_the_answer_only_when_the_worker_serving_the_partition_says_it_has_not_got_the_event()
    {
        var serving = new FakeWorker(_ => NotFound());
        var fanOut = FanOut(Partitions, new FakeWorker(_ => NotServed()), serving, new FakeWorker(_ => Unreachable()));

        Assert.Null(await fanOut.FindAsync(EventId, token: null, TestContext.Current.CancellationToken));
        // The workers are told which partition the event's key lands on, as the API published it.
        Assert.All(serving.Asked, request => Assert.Equal(PartitionOfEvent, request.Partition));
    }

    [Fact]
    public async Task When_no_worker_serves_the_partition_a_missing_event_is_unavailable_not_unprocessed()
    {
        // Rebuilding or catching up after a rebalance, or kept by a worker that lost it: nobody can say "not processed".
        var fanOut = FanOut(Partitions, new FakeWorker(_ => NotServed()), new FakeWorker(_ => NotServed()));

        await Assert.ThrowsAsync<WorkersUnavailableException>(() => fanOut.FindAsync(EventId, token: null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Without_the_partition_count_a_not_found_cannot_be_told_from_not_served()
    {
        var worker = new FakeWorker(_ => NotFound());
        var fanOut = FanOut(partitions: null, worker);

        await Assert.ThrowsAsync<WorkersUnavailableException>(() => fanOut.FindAsync(EventId, token: null, TestContext.Current.CancellationToken));
        Assert.All(worker.Asked, request => Assert.False(request.HasPartition));
    }

    [Fact]
    public async Task When_every_worker_is_unreachable_the_failure_is_theirs()
    {
        var fanOut = FanOut(Partitions, new FakeWorker(_ => Unreachable()), new FakeWorker(_ => Unreachable()));

        var failure = await Assert.ThrowsAsync<RpcException>(() => fanOut.FindAsync(EventId, token: null, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    [Fact]
    public async Task A_token_for_the_events_partition_is_passed_as_the_offset_to_reflect_and_a_not_found_then_is_the_answer()
    {
        var serving = new FakeWorker(_ => NotFound());
        var ends = new FakeEnds(end: 100);
        var fanOut = FanOut(Partitions, ends, waitMs: 2_000, serving);

        Assert.Null(await fanOut.FindAsync(EventId, Token(41), TestContext.Current.CancellationToken));

        // The worker serves the partition and says "not found" up to offset 41: that settles it.
        var asked = Assert.Single(serving.Asked);
        Assert.Equal(41, asked.MinOffset);
        // The first answer settled it: no broker round trip for the partition's end.
        Assert.Equal(0, ends.Asked);
    }

    [Fact]
    public async Task A_token_the_workers_do_not_reach_within_the_wait_is_refused_naming_the_partition_and_how_far_behind_it_is()
    {
        // The worker serves the partition, stored up to offset 30 (every message below it), and the token wants 41.
        var serving = new FakeWorker(_ => NotServed(), new Ownership { Partitions = { PartitionOfEvent }, Reached = { [PartitionOfEvent] = 30 } });
        var fanOut = FanOut(Partitions, new FakeEnds(end: 100), waitMs: 300, serving);

        var refused = await Assert.ThrowsAsync<ConsistencyNotReachedException>(() => fanOut.FindAsync(EventId, Token(41), TestContext.Current.CancellationToken));

        var lag = Assert.Single(refused.Lagging);
        Assert.Equal((PartitionOfEvent, 41L, 30L, 12L), (lag.Partition, lag.Offset, lag.Reached, lag.Behind!.Value));
        // Asked at once first, then asked to wait (woken by its consume loop) for what was left of CONSISTENCY_WAIT_MS.
        Assert.Equal(0, serving.Asked[0].WaitMs);
        Assert.Contains(serving.Asked, request => request.WaitMs is > 0 and <= 300);
    }

    [Fact]
    public async Task A_token_offset_at_or_past_the_partitions_end_is_refused_at_once_without_waiting_it_out()
    {
        var fanOut = FanOut(Partitions, new FakeEnds(end: 41), waitMs: 60_000, new FakeWorker(_ => NotServed()));

        var refused = await Assert.ThrowsAsync<TokenNotSatisfiableException>(() => fanOut.FindAsync(EventId, Token(41), TestContext.Current.CancellationToken));

        Assert.Contains($"partition {PartitionOfEvent} ends at offset 41", refused.Message, StringComparison.Ordinal);
    }

    private static ConsistencyToken Token(long offset) => ConsistencyToken.For("events", [new(PartitionOfEvent, offset)]);

    private static WorkerFanOut FanOut(int? partitions, params FakeWorker[] workers) => FanOut(partitions, new FakeEnds(end: long.MaxValue), waitMs: 5_000, workers);

    private static WorkerFanOut FanOut(int? partitions, FakeEnds ends, int waitMs, params FakeWorker[] workers)
    {
        var pipelines = new ServiceCollection().AddWorkerCallPipeline().BuildServiceProvider().GetRequiredService<ResiliencePipelineProvider<string>>();
        return new WorkerFanOut(
            new Directory([.. workers.Select((w, i) => new WorkerClient(new Uri($"http://worker-{i}"), w))]),
            new KnownTopic(partitions),
            ends,
            MsOptions.Create(new ProducerApiOptions { ConsistencyWaitMs = waitMs }),
            pipelines,
            TimeProvider.System);
    }

    /// <summary>Every partition ends at the same offset; counts how often it was asked.</summary>
    private sealed class FakeEnds(long end) : IPartitionEnds
    {
        public int Asked { get; private set; }

        public Task<IReadOnlyDictionary<int, long>> EndsAsync(IEnumerable<int> partitions, CancellationToken cancellationToken)
        {
            Asked++;
            return Task.FromResult<IReadOnlyDictionary<int, long>>(partitions.ToDictionary(p => p, _ => end));
        }
    }

    private static Task<ProcessedEvent> Found() => Task.FromResult(new ProcessedEvent { EventId = EventId.ToString(), Partition = PartitionOfEvent });

    private static Task<ProcessedEvent> NotFound() => Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.NotFound, "not processed")));

    private static Task<ProcessedEvent> NotServed() =>
        Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.FailedPrecondition, "partition not served here")));

    private static Task<ProcessedEvent> Unreachable() => Task.FromException<ProcessedEvent>(new RpcException(new Status(StatusCode.Unavailable, "refused")));

    /// <summary>A worker's gRPC client that answers GetProcessedEvent as told and remembers the requests.</summary>
    private sealed class FakeWorker(Func<GetProcessedEventRequest, Task<ProcessedEvent>> answer, Ownership? ownership = null) : ProcessedEvents.ProcessedEventsClient
    {
        public override AsyncUnaryCall<Ownership> GetOwnershipAsync(GetOwnershipRequest request, CallOptions options) =>
            new(Task.FromResult(ownership ?? new Ownership()), Task.FromResult(new Grpc.Core.Metadata()), () => Status.DefaultSuccess, () => [], () => { });

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
