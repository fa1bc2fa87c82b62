using Confluent.Kafka;
using Consumer.Worker.Store;

namespace Consumer.Worker.Consuming;

/// <summary>
/// The one owner of a partition's life in this worker: assignment, rebuild, catch-up, revocation, loss, the offsets
/// stored and committed, and the gaps retention leaves. Called by the consume thread only (the loop and librdkafka's
/// rebalance handlers, which run inside Consume and Close), so it needs no lock; what it decides it publishes as an
/// immutable <see cref="ServingSnapshot"/> through <see cref="ServingState"/>, once per change, never per message.
/// </summary>
/// <remarks>
/// A partition goes Rebuilding (below the committed offset: read back into the store), then CatchingUp (processed,
/// up to the end the partition had when it was assigned), then Serving. Serving only from the end as of the
/// assignment means that the events a previous owner processed but had not committed (it was killed) are in the store
/// again before any answer includes the partition, so a complete answer never lacks what an earlier one listed.
/// A lost partition keeps its events (Kept) until the next assignment: resumed from them if the group gives it back
/// and its log is consistent with them, dropped otherwise.
/// </remarks>
internal sealed class PartitionLifecycle(
    ServingState serving,
    IProcessedEventStore store,
    ConsumerMetrics metrics,
    TimeProvider time,
    ILogger<PartitionLifecycle> logger)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often, while messages keep coming, the offsets of those processed are stored: one call a partition per
    /// interval rather than one call a message (Confluent's StoreOffset builds, reads back and frees a librdkafka
    /// partition list each time: a sixth of the consume thread). Auto-commit sends what is stored once a second, so a
    /// tenth of that adds little to what a crash makes the next owner read again. An idle loop, a revocation and Close
    /// store what waits at once.
    /// </summary>
    private static readonly TimeSpan StoreInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>While busy, the end a partition's status reports is refreshed when an offset is a multiple of 1,024.</summary>
    private const long EndRefreshMask = 1023;

    /// <summary>Indexed by partition number: a message finds its partition without hashing.</summary>
    private PartitionTrack?[] _tracks = [];
    private bool _running;
    private bool _joined;
    private long _generation;

    /// <summary>Owned partitions not served yet: while 0, an idle loop has nothing to check.</summary>
    private int _notServed;

    /// <summary>When offsets were last stored (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private long _storedAt = time.GetTimestamp();

    public void Started()
    {
        _running = true;
        Publish();
    }

    /// <summary>The loop ends: nothing is served from here on. Close() then revokes (and commits) the partitions.</summary>
    public void Stopped()
    {
        _running = false;
        _joined = false;
        Publish();
        // Reads waiting for an offset would wait in vain: they are told now, and ask the partitions' next owners.
        foreach (var track in _tracks)
        {
            track?.Progress.Release();
        }
    }

    /// <summary>
    /// The group gave this worker <paramref name="partitions"/> (in addition to those it has: the assignor is
    /// cooperative). Each is read from where its store must start: a kept partition from what it kept, any other from
    /// its log start, because the store is a view of the log. Returns those starting offsets.
    /// </summary>
    public List<TopicPartitionOffset> OnAssigned(IConsumer<string?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(partitions);
        metrics.Assigned();
        _joined = true;
        DropKeptExcept(partitions);
        var starts = new List<TopicPartitionOffset>(partitions.Count);
        if (partitions.Count > 0)
        {
            foreach (var committed in Committed(consumer, partitions))
            {
                var ends = Watermarks(consumer, committed.TopicPartition);
                starts.Add(TrackOf(committed.Partition.Value) is { Phase: PartitionPhase.Kept } kept && IsConsistent(kept, ends)
                    ? Resume(consumer, kept, committed, ends!)
                    : Rebuild(committed, ends));
            }
        }

        Publish();
        var assigned = starts.Select(s => TrackOf(s.Partition.Value)!).ToList();
        logger.LogInformation(
            "Assigned partitions {Partitions}; rebuilding {Rebuilding}; catching up {CatchingUp}; resumed from kept events {Resumed}",
            string.Join(",", assigned.Select(t => t.Partition)),
            string.Join(",", assigned.Where(t => t.Phase == PartitionPhase.Rebuilding).Select(t => $"{t.Partition}<{t.RebuildUntil}")),
            string.Join(",", assigned.Where(t => t.Phase == PartitionPhase.CatchingUp).Select(t => $"{t.Partition}<{t.CatchUpTo}")),
            string.Join(",", starts.Where(s => s.Offset != Offset.Beginning).Select(s => $"{s.Partition.Value}@{s.Offset.Value}")));
        return starts;
    }

    /// <summary>A clean revocation (a rebalance, or Close): what was stored is committed, then the events go.</summary>
    public void OnRevoked(IConsumer<string?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(partitions);
        // What was processed and not yet stored is stored now, and all of it committed before the partitions go, so
        // their next owner starts where this one ended.
        StoreOffsets(consumer);
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing stored since the last commit.
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Commit on revocation failed: {Reason}; the next owner re-reads from the last commit", ex.Error.Reason);
        }

        var revoked = partitions.Select(p => p.Partition.Value).ToList();
        var progress = revoked.Select(TrackOf).OfType<PartitionTrack>().Select(t => t.Progress).ToList();
        foreach (var partition in revoked)
        {
            Remove(partition);
        }

        // The snapshot goes first: a reader that still sees a partition served then finds all its events.
        Publish();
        foreach (var released in progress)
        {
            // After the snapshot: a read woken now sees the partition gone and asks its next owner.
            released.Release();
        }

        foreach (var partition in revoked)
        {
            store.DropPartition(partition);
        }

        metrics.Revoked(revoked, lost: false);
        logger.LogInformation("Partitions {Partitions} {Change}; their events are dropped from the store", string.Join(",", revoked), "revoked");
    }

    /// <summary>
    /// The group's session expired (a broker outage longer than the session timeout, or a stalled process): the
    /// partitions may already belong to another member, so nothing is committed and nothing is served in full any
    /// more. Their events are kept: each was processed, and the partition may come back to this worker.
    /// </summary>
    public void OnLost(IConsumer<string?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var lost = partitions.Select(p => p.Partition.Value).ToList();
        foreach (var partition in lost)
        {
            if (TrackOf(partition) is { } track)
            {
                track.Phase = PartitionPhase.Kept;
                // The group has moved on: no offset of this partition can be committed by this member any more.
                track.ToStore = (-1, null);
            }
        }

        // Joined again only when the group gives this member an assignment; until then it is not ready.
        _joined = false;
        Publish();
        foreach (var partition in lost)
        {
            // After the snapshot: a read woken now sees the partition kept, not served, and asks elsewhere.
            TrackOf(partition)?.Progress.Release();
        }

        metrics.Revoked(lost, lost: true);
        logger.LogWarning(
            "Partitions {Partitions} {Change}: the group session expired; their events are kept for lookups until the group assigns partitions again",
            string.Join(",", lost), "lost");
    }

    /// <summary>
    /// Takes the next message. Returns true when it lies below its partition's committed offset while rebuilding: it
    /// was processed before and is only read back into the store.
    /// </summary>
    public bool OnMessage(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var partition = result.Partition.Value;
        metrics.Consumed(partition);
        if (TrackOf(partition) is not { } track)
        {
            return false;
        }

        if (track.GapBefore(result.Offset.Value) is { } expected)
        {
            OnGap(consumer, result, expected);
        }

        return track.IsReplay(result.Offset.Value);
    }

    /// <summary>
    /// The message is settled: in the store, or its dead letter acknowledged. A processed message's offset is stored
    /// now, and the partition's progress moves on, which may make it served.
    /// </summary>
    public void OnSettled(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result, bool replay)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (TrackOf(result.Partition.Value) is not { } track)
        {
            if (!replay)
            {
                StoreOffset(consumer, result);
            }

            return;
        }

        if (!replay)
        {
            // At-least-once: the offset is stored only after the event is in the store (or its dead letter was
            // acknowledged), with the next batch.
            track.ToStore = (result.Offset.Value + 1, result.LeaderEpoch);
            if (time.GetElapsedTime(_storedAt) >= StoreInterval)
            {
                StoreOffsets(consumer);
            }
        }

        var next = result.Offset.Value + 1;
        // Only an owned partition moves on: a kept one stays kept until the group gives it back.
        if (track.Phase is PartitionPhase.Rebuilding or PartitionPhase.CatchingUp)
        {
            Reached(consumer, track, next);
        }

        if ((next & EndRefreshMask) == 0)
        {
            SeeEnd(consumer, track);
        }

        // Last: a read woken here finds the partition already served if this message made it so.
        track.Progress.Advance(next);
    }

    /// <summary>
    /// No message came. A partition whose last offsets are not messages (transaction markers, compacted records) reaches
    /// its thresholds only by its position, which is asked here, off the per-message path.
    /// </summary>
    public void OnIdle(IConsumer<string?, byte[]?> consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        StoreOffsets(consumer);
        foreach (var track in _tracks)
        {
            if (track is { Phase: not PartitionPhase.Kept })
            {
                SeeEnd(consumer, track);
            }
        }

        if (_notServed == 0)
        {
            return;
        }

        foreach (var track in _tracks)
        {
            if (track is not { Phase: PartitionPhase.Rebuilding or PartitionPhase.CatchingUp })
            {
                continue;
            }

            long position;
            try
            {
                position = consumer.Position(track.TopicPartition).Value;
            }
            catch (KafkaException)
            {
                continue;
            }

            // An unknown position (negative) never lowers what was reached. The phase first, as in OnSettled.
            var reached = Math.Max(position, track.Progress.Reached);
            Reached(consumer, track, reached);
            if (reached > track.Progress.Reached)
            {
                track.Progress.Advance(reached);
            }
        }
    }

    /// <summary>The gap check of the next message of <paramref name="partition"/>: see <see cref="PartitionTrack.GapBefore"/>.</summary>
    internal long? GapBefore(int partition, long offset) => TrackOf(partition)?.GapBefore(offset);

    /// <summary>
    /// How many events a gap lost to retention: those from the expected offset up to the log start (or up to the
    /// message, if retention has since moved the log start beyond it). A gap whose expected offset is still in the log
    /// is not retention: compaction removes records and transaction markers take offsets without being delivered,
    /// both leaving holes in the offsets that are no loss; it counts 0.
    /// </summary>
    internal static long LostToRetention(long expected, long offset, long logStart) =>
        logStart > expected ? Math.Min(offset, logStart) - expected : 0;

    /// <summary>
    /// A partition not kept (or whose kept events cannot be trusted) is read from its log start: what lies below the
    /// committed offset was processed before (by this worker before a restart, or by another) and is only put back into
    /// the store; processing proper resumes at the committed offset.
    /// </summary>
    private TopicPartitionOffset Rebuild(TopicPartitionOffset committed, WatermarkOffsets? ends)
    {
        var partition = committed.Partition.Value;
        var logStart = ends?.Low.Value ?? 0;
        var until = committed.Offset.IsSpecial ? 0 : committed.Offset.Value;
        if (until > 0 && logStart > 0)
        {
            // Time-based retention: the rebuilt store holds only what is still in the log. This is no loss to
            // processing (those events were processed once); anything between the committed offset and the log
            // start is, and OnMessage reports it when it meets the gap.
            logger.LogWarning(
                "Rebuilding {Topic} [{Partition}] from its log start {LogStartOffset}: {EventsNotRebuilt} earlier events were deleted by retention and are not in the store",
                committed.Topic, partition, logStart, Math.Min(logStart, until));
        }

        var track = new PartitionTrack(committed.TopicPartition, new PartitionProgress(logStart))
        {
            // Retention may have removed everything below the committed offset: then there is nothing to rebuild.
            RebuildUntil = until > logStart ? until : 0,
            CatchUpTo = ends?.High.Value ?? -1,
            Expected = committed.Offset.IsSpecial ? -1 : committed.Offset.Value,
        };
        track.Phase = track.PhaseAt(logStart);
        track.Progress.SeeEnd(track.CatchUpTo);
        store.DropPartition(partition);
        // A kept track this replaces was released when it was lost: reads wait on the new progress.
        Set(track);
        return new TopicPartitionOffset(committed.TopicPartition, Offset.Beginning);
    }

    /// <summary>
    /// Kept events are a prefix of the partition's log up to the offset they reached, as long as the log still reaches
    /// that far. A log that ends below it is another log (a recreated topic): the kept events are not its events.
    /// </summary>
    private bool IsConsistent(PartitionTrack kept, WatermarkOffsets? ends)
    {
        var reached = kept.Progress.Reached;
        if (ends is { } known && known.High.Value >= reached)
        {
            return true;
        }

        logger.LogWarning(
            "Dropping the events kept for partition {Partition}: its log ends at {EndOffset}, below the offset {KeptOffset} they reached (or its end is unknown); rebuilding it from the log",
            kept.Partition, ends?.High.Value, reached);
        return false;
    }

    /// <summary>
    /// The group gave back a partition whose events were kept through a loss: reading carries on after them instead of
    /// rebuilding. What another member committed beyond them meanwhile is read back, not processed again; what this
    /// worker processed beyond the committed offset before the loss is committed now, so nobody processes it again.
    /// </summary>
    private TopicPartitionOffset Resume(IConsumer<string?, byte[]?> consumer, PartitionTrack kept, TopicPartitionOffset committed, WatermarkOffsets ends)
    {
        var reached = kept.Progress.Reached;
        var committedOffset = committed.Offset.IsSpecial ? -1 : committed.Offset.Value;
        kept.RebuildUntil = committedOffset > reached ? committedOffset : 0;
        kept.CatchUpTo = ends.High.Value;
        kept.Expected = Math.Max(committedOffset, reached);
        kept.Phase = kept.PhaseAt(reached);
        kept.Clock.Restart();
        kept.Progress.SeeEnd(kept.CatchUpTo);
        kept.Progress.Reopen();
        if (committedOffset < reached)
        {
            try
            {
                // Every event below it is in the store (offsets are stored only after that), and was logged as processed.
                consumer.Commit([new TopicPartitionOffset(committed.TopicPartition, reached)]);
            }
            catch (KafkaException ex)
            {
                logger.LogWarning(
                    "Could not commit offset {Offset} of partition {Partition} after resuming it ({Reason}); a later owner may process those events again",
                    reached, kept.Partition, ex.Error.Reason);
            }
        }

        logger.LogInformation(
            "Resuming partition {Partition} at offset {Offset} from the events kept through its loss (committed offset {CommittedOffset}), without a rebuild",
            kept.Partition, reached, committedOffset);
        return new TopicPartitionOffset(committed.TopicPartition, reached);
    }

    /// <summary>Kept partitions that the group did not give back belong to another member now: their events go.</summary>
    private void DropKeptExcept(List<TopicPartition> assigned)
    {
        var elsewhere = _tracks
            .Where(t => t is { Phase: PartitionPhase.Kept } && !assigned.Any(a => a.Partition.Value == t.Partition))
            .Select(t => t!.Partition)
            .ToList();
        if (elsewhere.Count == 0)
        {
            return;
        }

        foreach (var partition in elsewhere)
        {
            Remove(partition);
        }

        Publish();
        foreach (var partition in elsewhere)
        {
            store.DropPartition(partition);
        }

        logger.LogInformation(
            "Partitions {Partitions} were assigned elsewhere after their loss; the events kept for them are dropped from the store",
            string.Join(",", elsewhere));
    }

    /// <summary>The partition has been read up to <paramref name="reached"/>: it may move on to catching up, or be served.</summary>
    private void Reached(IConsumer<string?, byte[]?> consumer, PartitionTrack track, long reached)
    {
        if (track.CatchUpTo < 0)
        {
            LearnEnd(consumer, track);
        }

        var phase = track.PhaseAt(reached);
        if (phase == track.Phase)
        {
            return;
        }

        if (track.Phase == PartitionPhase.Rebuilding)
        {
            logger.LogInformation(
                "Rebuilt partition {Partition} from the log up to offset {Offset} in {ElapsedMs} ms",
                track.Partition, track.RebuildUntil, track.Clock.ElapsedMilliseconds);
        }

        if (phase == PartitionPhase.Serving)
        {
            logger.LogInformation(
                "Serving partition {Partition}: read up to offset {Offset}, its end when it was assigned, {ElapsedMs} ms after the assignment",
                track.Partition, track.CatchUpTo, track.Clock.ElapsedMilliseconds);
        }

        track.Phase = phase;
        Publish();
    }

    /// <summary>
    /// The end could not be asked for at the assignment (the broker did not answer): librdkafka knows it from the
    /// partition's first fetch, without a request.
    /// </summary>
    private static void LearnEnd(IConsumer<string?, byte[]?> consumer, PartitionTrack track)
    {
        var high = consumer.GetWatermarkOffsets(track.TopicPartition).High;
        if (high.Value >= 0)
        {
            track.CatchUpTo = high.Value;
            track.Progress.SeeEnd(high.Value);
        }
    }

    /// <summary>
    /// The partition's end as librdkafka last saw it (updated with every fetch, asked of no broker), for the status
    /// the worker reports: when idle, and every <see cref="EndRefreshMask"/> + 1 offsets while busy.
    /// </summary>
    private static void SeeEnd(IConsumer<string?, byte[]?> consumer, PartitionTrack track) =>
        track.Progress.SeeEnd(consumer.GetWatermarkOffsets(track.TopicPartition).High.Value);

    /// <summary>
    /// Offsets were skipped before this message. Only the log start tells whether retention deleted the events the
    /// worker expected (librdkafka then jumped to the new log start without an error) or the gap is harmless.
    /// </summary>
    private void OnGap(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result, long expected)
    {
        var logStart = Watermarks(consumer, result.TopicPartition)?.Low.Value ?? 0;
        var lost = LostToRetention(expected, result.Offset.Value, logStart);
        if (lost <= 0)
        {
            return;
        }

        metrics.LostToRetention(result.Partition.Value, lost);
        logger.LogError(
            "Lost {EventsSkipped} events of {Topic} [{Partition}] to retention: expected offset {ExpectedOffset}, but the log now starts at {LogStartOffset}; they were deleted before they were processed",
            lost, result.Topic, result.Partition.Value, expected, logStart);
    }

    /// <summary>
    /// Stores the offset waiting in each partition (one call a partition, not one a message). Auto-commit sends stored
    /// offsets every second; revocation and Close() send the last.
    /// </summary>
    private void StoreOffsets(IConsumer<string?, byte[]?> consumer)
    {
        _storedAt = time.GetTimestamp();
        foreach (var track in _tracks)
        {
            if (track is not { ToStore: { Offset: >= 0 } waiting })
            {
                continue;
            }

            track.ToStore = (-1, null);
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(track.TopicPartition, new Offset(waiting.Offset), waiting.LeaderEpoch));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                NotStored(track.TopicPartition, waiting.Offset - 1);
            }
        }
    }

    /// <summary>A message of a partition this worker does not track (not expected): its offset is stored at once.</summary>
    private void StoreOffset(IConsumer<string?, byte[]?> consumer, ConsumeResult<string?, byte[]?> result)
    {
        try
        {
            consumer.StoreOffset(result);
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            NotStored(result.TopicPartition, result.Offset.Value);
        }
    }

    /// <summary>
    /// The partition was revoked while its events were handled (<paramref name="offset"/> is the last one's). Its new
    /// owner will deliver them again, and the eventId makes the second delivery harmless.
    /// </summary>
    private void NotStored(TopicPartition partition, long offset) =>
        logger.LogInformation(
            "Offset not stored for {Topic} [{Partition}] @{Offset}: the partition is no longer assigned",
            partition.Topic, partition.Partition.Value, offset);

    private List<TopicPartitionOffset> Committed(IConsumer<string?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        try
        {
            return consumer.Committed(partitions, QueryTimeout);
        }
        catch (KafkaException ex)
        {
            // Without the committed offsets every message would count as new; they are only duplicates at worst,
            // which the store absorbs, so carry on without a rebuild boundary rather than stall the group.
            logger.LogError("Could not read committed offsets ({Reason}); processing the partitions from their start", ex.Error.Reason);
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }
    }

    /// <summary>The partition's log start and end, asked of the broker; null when it does not answer.</summary>
    private WatermarkOffsets? Watermarks(IConsumer<string?, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            return consumer.QueryWatermarkOffsets(partition, QueryTimeout);
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Could not read the log start and end of partition {Partition}: {Reason}", partition.Partition.Value, ex.Error.Reason);
            return null;
        }
    }

    private PartitionTrack? TrackOf(int partition) => (uint)partition < (uint)_tracks.Length ? _tracks[partition] : null;

    private void Set(PartitionTrack track)
    {
        if (track.Partition >= _tracks.Length)
        {
            Array.Resize(ref _tracks, track.Partition + 1);
        }

        _tracks[track.Partition] = track;
    }

    private void Remove(int partition)
    {
        if ((uint)partition < (uint)_tracks.Length)
        {
            _tracks[partition] = null;
        }
    }

    private void Publish()
    {
        var views = new List<PartitionView>();
        var notServed = 0;
        foreach (var track in _tracks)
        {
            if (track is null)
            {
                continue;
            }

            views.Add(track.View());
            if (track.Phase is PartitionPhase.Rebuilding or PartitionPhase.CatchingUp)
            {
                notServed++;
            }
        }

        _notServed = notServed;
        serving.Publish(new ServingSnapshot(++_generation, _running, _joined, views));
    }
}
