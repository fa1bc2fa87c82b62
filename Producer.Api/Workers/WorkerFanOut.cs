using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>
/// Asks every worker and makes one answer of theirs, complete or refused: the partitions the answers are for must
/// cover the topic exactly once. While a rebalance moves partitions that is briefly not so; the fan-out then tries
/// again for a moment and gives up with <see cref="WorkersUnavailableException"/> rather than answer with holes or
/// doubles.
/// </summary>
internal sealed class WorkerFanOut(
    IWorkerDirectory directory,
    ITopicMetadata topic,
    IOptions<ProducerApiOptions> options,
    ResiliencePipelineProvider<string> pipelines,
    TimeProvider time)
{
    /// <summary>How long a query waits for a rebalance to settle before it answers 503.</summary>
    private static readonly TimeSpan RebalanceWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly ResiliencePipeline _breaker = pipelines.GetPipeline(WorkerCallPipeline.Name);

    /// <summary>Which worker served each partition at the last complete answer: the first worker to ask for one event.</summary>
    private volatile Dictionary<int, Uri> _owners = [];

    /// <summary>Opens a list stream to every worker and returns them once their first pages cover the topic.</summary>
    public async Task<WorkerStreams> OpenListAsync(ListProcessedEventsRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var streams = await _breaker.ExecuteAsync(
                static async (state, token) => await state.self.OpenAllAsync(state.request, token), (self: this, request), cancellationToken);
            var problem = PartitionCoverage.Problem(streams.Ownerships, await topic.PartitionCountAsync(cancellationToken));
            if (problem is null)
            {
                RememberOwners(streams.Streams.Select(s => (s.Address, s.Ownership)));
                return streams;
            }

            streams.Dispose();
            if (time.GetElapsedTime(started) > RebalanceWait)
            {
                throw new WorkersUnavailableException($"The workers' answers do not cover the topic: {problem}. A rebalance is probably moving partitions.");
            }

            // No signal tells the API that a rebalance is over; asking again shortly is the only way to know.
            await Task.Delay(RetryPause, time, cancellationToken);
        }
    }

    /// <summary>
    /// The event from whichever worker holds it. Null ("not processed") only when the worker that serves the event's
    /// partition says it has not got it: that worker has read the partition up to its end as of its assignment, so
    /// its "no" is the truth. When no worker that answered serves the partition (it is being rebuilt or caught up,
    /// kept by a worker that lost it, or the topic's partition count is unknown), throws
    /// <see cref="WorkersUnavailableException"/>: 503, never a 404 for an event that may have been processed.
    /// </summary>
    public async Task<ProcessedEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken)
    {
        var workers = await directory.CurrentAsync(cancellationToken);
        if (workers.Count == 0)
        {
            throw new WorkersUnavailableException("No worker is known (the workers' name resolves to no address).");
        }

        var request = new GetProcessedEventRequest { EventId = eventId.ToString() };
        if (await topic.PartitionCountAsync(cancellationToken) is { } partitions)
        {
            request.Partition = EventPartitioner.PartitionOf(eventId, partitions);
        }

        var deadline = DateTime.UtcNow + options.Value.WorkerCallTimeout;
        if (OwnerOf(request, workers) is { } owner
            && (await AskAsync(owner, request, deadline, cancellationToken)).Found is { } fromOwner)
        {
            // The usual case costs one call. Anything else (not found, the partition moved, the owner down) asks
            // every worker, which is the only way to be sure.
            return fromOwner;
        }

        return await _breaker.ExecuteAsync(
            static async ValueTask<ProcessedEvent?> (state, token) =>
            {
                var answers = await Task.WhenAll(state.workers.Select(worker => AskAsync(worker, state.request, state.deadline, token)));
                if (answers.FirstOrDefault(a => a.Found is not null).Found is { } found)
                {
                    return found;
                }

                if (answers.Any(a => a.Serves))
                {
                    return null;
                }

                if (answers.All(a => a.Error is not null))
                {
                    // Every worker failed: the breaker counts this, and the caller answers 503.
                    throw answers[0].Error!;
                }

                throw new WorkersUnavailableException(state.request.HasPartition
                    ? $"No worker that answered serves partition {state.request.Partition} now (it is being rebuilt or caught up, kept by a worker that lost it, or its worker is unreachable), so whether event {state.request.EventId} was processed cannot be told."
                    : $"The topic's partition count is unknown (Kafka has not answered yet), so no worker can tell that event {state.request.EventId} has not been processed.");
            },
            (workers, request, deadline),
            cancellationToken);
    }

    /// <summary>What each worker serves now, and whether together they cover the topic (null) or what is wrong.</summary>
    public async Task<(IReadOnlyList<Ownership> Ownerships, int Unreachable, string? Problem)> CheckCoverageAsync(CancellationToken cancellationToken)
    {
        var workers = await directory.CurrentAsync(cancellationToken);
        var deadline = DateTime.UtcNow + options.Value.WorkerCallTimeout;
        var answers = await Task.WhenAll(workers.Select(async worker =>
        {
            try
            {
                return await worker.Events.GetOwnershipAsync(new GetOwnershipRequest(), deadline: deadline, cancellationToken: cancellationToken);
            }
            catch (RpcException)
            {
                return null;
            }
        }));
        var ownerships = answers.OfType<Ownership>().ToList();
        var problem = workers.Count == 0
            ? "no worker is known"
            : PartitionCoverage.Problem(ownerships, await topic.PartitionCountAsync(cancellationToken));
        if (problem is null)
        {
            RememberOwners(workers.Zip(answers).Where(pair => pair.Second is not null).Select(pair => (pair.First.Address, pair.Second!)));
        }

        return (ownerships, answers.Length - ownerships.Count, problem);
    }

    private void RememberOwners(IEnumerable<(Uri Address, Ownership Ownership)> answers) =>
        _owners = answers.SelectMany(a => a.Ownership.Partitions.Select(p => (Partition: p, a.Address))).ToDictionary(o => o.Partition, o => o.Address);

    private WorkerClient? OwnerOf(GetProcessedEventRequest request, IReadOnlyList<WorkerClient> workers) =>
        request.HasPartition && _owners.TryGetValue(request.Partition, out var address)
            ? workers.FirstOrDefault(w => w.Address == address)
            : null;

    private async Task<WorkerStreams> OpenAllAsync(ListProcessedEventsRequest request, CancellationToken cancellationToken)
    {
        var workers = await directory.CurrentAsync(cancellationToken);
        if (workers.Count == 0)
        {
            throw new WorkersUnavailableException("No worker is known (the workers' name resolves to no address).");
        }

        var settings = options.Value;
        var opened = await Task.WhenAll(workers.Select(worker => OpenAsync(worker, request, settings, cancellationToken)));
        var streams = new WorkerStreams([.. opened.Where(o => o.Stream is not null).Select(o => o.Stream!)]);
        if (streams.Count == 0)
        {
            // Every worker failed: the breaker counts this, and the caller answers 503.
            throw opened.First().Error!;
        }

        return streams;
    }

    private static async Task<(WorkerStream? Stream, RpcException? Error)> OpenAsync(
        WorkerClient worker, ListProcessedEventsRequest request, ProducerApiOptions settings, CancellationToken cancellationToken)
    {
        var call = worker.Events.ListProcessedEvents(
            request,
            deadline: DateTime.UtcNow + settings.WorkerListTimeout,
            cancellationToken: cancellationToken);
        using var firstPage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        firstPage.CancelAfter(settings.WorkerCallTimeout);
        try
        {
            // The first page carries the worker's ownership: it is sent even when the worker holds no event.
            if (await call.ResponseStream.MoveNext(firstPage.Token) && call.ResponseStream.Current.Ownership is { } ownership)
            {
                return (new WorkerStream(worker.Address, call, call.ResponseStream.Current, ownership), null);
            }

            call.Dispose();
            return (null, new RpcException(new Status(StatusCode.Internal, $"{worker.Address} answered without its ownership.")));
        }
        catch (RpcException ex) when (WorkerErrors.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            call.Dispose();
            return (null, ex);
        }
    }

    /// <summary>One worker's answer: the event; or that it serves the partition and has not got it; or neither.</summary>
    private static async Task<(ProcessedEvent? Found, bool Serves, RpcException? Error)> AskAsync(
        WorkerClient worker, GetProcessedEventRequest request, DateTime deadline, CancellationToken cancellationToken)
    {
        try
        {
            return (await worker.Events.GetProcessedEventAsync(request, deadline: deadline, cancellationToken: cancellationToken), false, null);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Without the partition in the request, the worker's NOT_FOUND cannot say whether it serves it.
            return (null, request.HasPartition, null);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            // Not served there: another worker may hold the event.
            return (null, false, null);
        }
        catch (RpcException ex) when (WorkerErrors.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            return (null, false, ex);
        }
    }
}
