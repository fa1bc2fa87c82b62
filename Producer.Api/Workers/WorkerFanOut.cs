using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Producer.Api.Kafka;
using Producer.Api.Options;
using Shared.Contracts.Consistency;
using Shared.Contracts.Events;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>
/// Asks every worker and makes one answer of theirs, complete or refused: the partitions the answers are for must
/// cover the topic exactly once. While a rebalance moves partitions that is briefly not so; the fan-out then tries
/// again for a moment and gives up with <see cref="WorkersUnavailableException"/> rather than answer with holes or
/// doubles.
/// </summary>
/// <remarks>
/// Read your writes: a read that carries a consistency token passes its positions to the workers, which wait (woken by
/// their consume loops) until they have stored them; the answer is taken only when, for every partition the token
/// names, the worker that serves it reflects the position. Otherwise the fan-out asks again (the partition moved, or
/// its owner was down) until CONSISTENCY_WAIT_MS is up, then throws <see cref="ConsistencyNotReachedException"/>.
/// The partitions' ends are asked only when a first answer falls short, so the usual read costs no broker round trip.
/// </remarks>
internal sealed class WorkerFanOut(
    IWorkerDirectory directory,
    ITopicMetadata topic,
    IPartitionEnds ends,
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

    /// <summary>
    /// Opens a list stream to every worker and returns them once their first pages cover the topic and, with a
    /// <paramref name="token"/>, reflect every position it names.
    /// </summary>
    public async Task<WorkerStreams> OpenListAsync(ListProcessedEventsRequest request, ConsistencyToken? token, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var wait = options.Value.ConsistencyWait;
        var endsChecked = false;
        foreach (var (partition, offset) in token?.Positions ?? [])
        {
            request.MinOffsets[partition] = offset;
        }

        while (true)
        {
            // The first ask does not wait: if it falls short, the partitions' ends are asked before any wait, so a
            // token past an end is refused at once rather than after CONSISTENCY_WAIT_MS.
            request.WaitMs = token is { IsEmpty: false } && endsChecked ? RemainingMs(started, wait) : 0;
            var streams = await _breaker.ExecuteAsync(
                static async (state, token) => await state.self.OpenAllAsync(state.request, token), (self: this, request), cancellationToken);
            var problem = PartitionCoverage.Problem(streams.Ownerships, await topic.PartitionCountAsync(cancellationToken));
            var lagging = problem is null && token is not null ? Lagging(token, streams.Ownerships) : [];
            if (problem is null && lagging.Count == 0)
            {
                RememberOwners(streams.Streams.Select(s => (s.Address, s.Ownership)));
                return streams;
            }

            streams.Dispose();
            if (problem is not null && time.GetElapsedTime(started) > RebalanceWait)
            {
                throw new WorkersUnavailableException($"The workers' answers do not cover the topic: {problem}. A rebalance is probably moving partitions.");
            }

            if (lagging.Count > 0)
            {
                if (!endsChecked)
                {
                    // Short the first time: the token is possible, so ask again at once, letting the workers wait.
                    endsChecked = true;
                    await RefuseBeyondEndAsync(lagging.Select(l => (l.Partition, l.Offset)), cancellationToken);
                    continue;
                }

                if (time.GetElapsedTime(started) >= wait)
                {
                    throw new ConsistencyNotReachedException(lagging, time.GetElapsedTime(started));
                }
            }

            // No signal tells the API that a rebalance is over; asking again shortly is the only way to know. (A worker
            // that owns a lagging partition waited for it itself: it answered early because the partition left it.)
            await Task.Delay(RetryPause, time, cancellationToken);
        }
    }

    /// <summary>
    /// The event from whichever worker holds it. Null ("not processed") only when the worker that serves the event's
    /// partition says it has not got it: that worker has read the partition up to its end as of its assignment, so
    /// its "no" is the truth. When no worker that answered serves the partition (it is being rebuilt or caught up,
    /// kept by a worker that lost it, or the topic's partition count is unknown), throws
    /// <see cref="WorkersUnavailableException"/>: 503, never a 404 for an event that may have been processed.
    /// With a <paramref name="token"/> that names the event's partition, "not processed" holds up to the token's
    /// offset: the workers are asked to wait for it, within CONSISTENCY_WAIT_MS, and past that the answer is
    /// <see cref="ConsistencyNotReachedException"/>; a held event is answered at once whatever the token.
    /// </summary>
    public async Task<ProcessedEvent?> FindAsync(Guid eventId, ConsistencyToken? token, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var request = new GetProcessedEventRequest { EventId = eventId.ToString() };
        if (await topic.PartitionCountAsync(cancellationToken) is { } partitions)
        {
            request.Partition = EventPartitioner.PartitionOf(eventId, partitions);
            if (token?.OffsetOf(request.Partition) is { } minOffset)
            {
                // Only the event's partition matters to this answer: "not processed" must hold up to the token's offset.
                request.MinOffset = minOffset;
            }
        }

        if (!request.HasMinOffset)
        {
            return await FindOnceAsync(request, static () => 0, cancellationToken);
        }

        var wait = options.Value.ConsistencyWait;
        var endsChecked = false;
        while (true)
        {
            try
            {
                // As for a list: the first ask does not wait, so that a token past the partition's end is refused at once.
                return await FindOnceAsync(request, () => endsChecked ? RemainingMs(started, wait) : 0, cancellationToken);
            }
            catch (WorkersUnavailableException)
            {
                // No worker could say yet: not stored that far in time, the partition moving, or its owner down.
            }

            if (!endsChecked)
            {
                // Short the first time: the token is possible, so ask again at once, letting the workers wait.
                endsChecked = true;
                await RefuseBeyondEndAsync([(request.Partition, request.MinOffset)], cancellationToken);
                continue;
            }

            if (time.GetElapsedTime(started) >= wait)
            {
                throw new ConsistencyNotReachedException(
                    [new PartitionLag(request.Partition, request.MinOffset, await ReachedByServerAsync(request.Partition, cancellationToken))],
                    time.GetElapsedTime(started));
            }

            await Task.Delay(RetryPause, time, cancellationToken);
        }
    }

    /// <summary>
    /// Asks the remembered owner, then every worker, once: found, not processed (null), or unavailable. Each ask
    /// lets the worker wait for the token's offset for what is left of the wait (<paramref name="remainingMs"/>).
    /// </summary>
    private async Task<ProcessedEvent?> FindOnceAsync(GetProcessedEventRequest request, Func<int> remainingMs, CancellationToken cancellationToken)
    {
        var workers = await directory.CurrentAsync(cancellationToken);
        if (workers.Count == 0)
        {
            throw new WorkersUnavailableException("No worker is known (the workers' name resolves to no address).");
        }

        // A worker waits for the token up to wait_ms before it answers: the call's deadline allows for that.
        request.WaitMs = remainingMs();
        var deadline = DateTime.UtcNow + options.Value.WorkerCallTimeout + TimeSpan.FromMilliseconds(request.WaitMs);
        if (OwnerOf(request, workers) is { } owner
            && (await AskAsync(owner, request, deadline, cancellationToken)).Found is { } fromOwner)
        {
            // The usual case costs one call. Anything else (not found, the partition moved, the owner down) asks
            // every worker, which is the only way to be sure.
            return fromOwner;
        }

        // What is left of the wait: none if the owner waited it out; all of it if no owner was known. A worker that
        // does not own the partition answers at once.
        var again = request.Clone();
        again.WaitMs = remainingMs();
        deadline = DateTime.UtcNow + options.Value.WorkerCallTimeout + TimeSpan.FromMilliseconds(again.WaitMs);
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
            (workers, request: again, deadline),
            cancellationToken);
    }

    /// <summary>
    /// The workers' status, each asked at once: per worker its answer, or null when it did not answer. What GET
    /// /events/status shows.
    /// </summary>
    public async Task<IReadOnlyList<(Uri Address, WorkerStatus? Status)>> StatusAsync(CancellationToken cancellationToken)
    {
        var workers = await directory.CurrentAsync(cancellationToken);
        var deadline = DateTime.UtcNow + options.Value.WorkerCallTimeout;
        return await Task.WhenAll(workers.Select(async worker =>
        {
            try
            {
                return (worker.Address, (WorkerStatus?)await worker.Events.GetStatusAsync(new GetStatusRequest(), deadline: deadline, cancellationToken: cancellationToken));
            }
            catch (RpcException ex) when (WorkerErrors.IsUnavailable(ex) || ex.StatusCode == StatusCode.Unimplemented)
            {
                return (worker.Address, null);
            }
        }));
    }

    /// <summary>
    /// For each token position, whether the worker that serves its partition had stored past it when it answered.
    /// </summary>
    private static List<PartitionLag> Lagging(ConsistencyToken token, IEnumerable<Ownership> ownerships)
    {
        var reached = new Dictionary<int, long>();
        foreach (var ownership in ownerships)
        {
            foreach (var partition in ownership.Partitions)
            {
                reached[partition] = ownership.Reached.TryGetValue(partition, out var offset) ? offset : 0;
            }
        }

        return [.. token.Positions
            .Select(p => new PartitionLag(p.Key, p.Value, reached.TryGetValue(p.Key, out var offset) ? offset : -1))
            .Where(lag => lag.Reached <= lag.Offset)];
    }

    /// <summary>
    /// Throws <see cref="TokenNotSatisfiableException"/> when a position is at or past its partition's end: no wait
    /// would ever reach it. Asked only once a first answer fell short. A partition whose end Kafka does not tell now
    /// is given the benefit of the doubt.
    /// </summary>
    private async Task RefuseBeyondEndAsync(IEnumerable<(int Partition, long Offset)> positions, CancellationToken cancellationToken)
    {
        var asked = positions.ToList();
        var known = await ends.EndsAsync(asked.Select(p => p.Partition), cancellationToken);
        var beyond = asked.Where(p => known.TryGetValue(p.Partition, out var end) && p.Offset >= end).ToList();
        if (beyond.Count > 0)
        {
            throw new TokenNotSatisfiableException(string.Join("; ", beyond.Select(p =>
                $"partition {p.Partition} ends at offset {known[p.Partition]}, so offset {p.Offset} was never written")));
        }
    }

    /// <summary>How far the worker that serves <paramref name="partition"/> has stored it; -1 when none serves it.</summary>
    private async Task<long> ReachedByServerAsync(int partition, CancellationToken cancellationToken)
    {
        var (ownerships, _, _) = await CheckCoverageAsync(cancellationToken);
        return ownerships.FirstOrDefault(o => o.Partitions.Contains(partition)) is { } server
            ? server.Reached.GetValueOrDefault(partition)
            : -1;
    }

    private int RemainingMs(long started, TimeSpan wait) =>
        (int)Math.Max(0, Math.Ceiling((wait - time.GetElapsedTime(started)).TotalMilliseconds));

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
        // A worker waits for a token's positions up to wait_ms before its first page: the deadlines allow for that.
        var waits = TimeSpan.FromMilliseconds(request.WaitMs);
        var call = worker.Events.ListProcessedEvents(
            request,
            deadline: DateTime.UtcNow + settings.WorkerListTimeout + waits,
            cancellationToken: cancellationToken);
        using var firstPage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        firstPage.CancelAfter(settings.WorkerCallTimeout + waits);
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
