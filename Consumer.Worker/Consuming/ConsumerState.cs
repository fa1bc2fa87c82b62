using System.Diagnostics;

namespace Consumer.Worker.Consuming;

/// <summary>
/// The worker's place in the group: which partitions it owns, and which of them it is still rebuilding from the
/// log. Written by the consume loop's thread, read by health checks and queries.
/// </summary>
public sealed class ConsumerState(ILogger<ConsumerState> logger)
{
    private readonly Lock _gate = new();
    private readonly SortedSet<int> _assigned = [];
    private readonly Dictionary<int, Rebuild> _rebuilding = [];
    private bool _running;
    private bool _joined;
    private long _generation;

    /// <summary>Joined: the group has given this member an assignment (possibly empty: more workers than partitions).</summary>
    public bool IsJoined
    {
        get
        {
            lock (_gate)
            {
                return _running && _joined;
            }
        }
    }

    /// <summary>Ready to answer queries: joined, and every owned partition is in the store up to its committed offset.</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _running && _joined && _rebuilding.Count == 0;
            }
        }
    }

    public IReadOnlyList<int> Assigned
    {
        get
        {
            lock (_gate)
            {
                return [.. _assigned];
            }
        }
    }

    public IReadOnlyList<int> Rebuilding
    {
        get
        {
            lock (_gate)
            {
                return [.. _rebuilding.Keys.Order()];
            }
        }
    }

    /// <summary>Changes with every assignment and revocation.</summary>
    public long Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    /// <summary>The partitions this worker answers for: owned and rebuilt. With the generation they belong to.</summary>
    public (IReadOnlyList<int> Served, IReadOnlyList<int> Rebuilding, long Generation) Ownership
    {
        get
        {
            lock (_gate)
            {
                if (!_running || !_joined)
                {
                    return ([], [], _generation);
                }

                return ([.. _assigned.Where(p => !_rebuilding.ContainsKey(p))], [.. _rebuilding.Keys.Order()], _generation);
            }
        }
    }

    /// <summary>True when the message lies below its partition's committed offset: it is rebuilt, not processed.</summary>
    public bool IsRebuilding(int partition, long offset)
    {
        lock (_gate)
        {
            return _rebuilding.TryGetValue(partition, out var rebuild) && offset < rebuild.Until;
        }
    }

    internal void Started()
    {
        lock (_gate)
        {
            _running = true;
        }
    }

    internal void Stopped()
    {
        lock (_gate)
        {
            _running = false;
            _joined = false;
            _generation++;
            _assigned.Clear();
            _rebuilding.Clear();
        }
    }

    /// <summary>
    /// Each owned partition with how many messages below its committed offset are still to be read back into the
    /// store: 0 once it is rebuilt (or had nothing to rebuild).
    /// </summary>
    public IReadOnlyList<(int Partition, long Remaining)> RebuildProgress
    {
        get
        {
            lock (_gate)
            {
                return [.. _assigned.Select(p => (p, _rebuilding.TryGetValue(p, out var r) ? Math.Max(0, r.Until - r.Reached) : 0L))];
            }
        }
    }

    /// <summary>
    /// Records newly assigned partitions; those with a committed offset above their log start are rebuilt, from
    /// <c>LogStart</c> up to <c>RebuildUntil</c>.
    /// </summary>
    internal void OnAssigned(IEnumerable<(int Partition, long RebuildUntil, long LogStart)> partitions)
    {
        lock (_gate)
        {
            _joined = true;
            _generation++;
            foreach (var (partition, until, logStart) in partitions)
            {
                _assigned.Add(partition);
                if (until > 0)
                {
                    _rebuilding[partition] = new Rebuild(until, Stopwatch.StartNew()) { Reached = Math.Max(0, logStart) };
                }
            }
        }
    }

    internal void OnRevoked(IEnumerable<int> partitions)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var partition in partitions)
            {
                _assigned.Remove(partition);
                _rebuilding.Remove(partition);
            }
        }
    }

    /// <summary>Ends the rebuild of every partition whose position has reached its committed offset.</summary>
    internal void OnPositions(Func<int, long> position)
    {
        lock (_gate)
        {
            foreach (var (partition, rebuild) in _rebuilding.ToArray())
            {
                var reached = position(partition);
                rebuild.Reached = Math.Max(rebuild.Reached, reached);
                if (reached >= rebuild.Until)
                {
                    _rebuilding.Remove(partition);
                    _generation++;
                    logger.LogInformation(
                        "Rebuilt partition {Partition} from the log up to offset {Offset} in {ElapsedMs} ms",
                        partition, rebuild.Until, rebuild.Clock.ElapsedMilliseconds);
                }
            }
        }
    }

    private sealed record Rebuild(long Until, Stopwatch Clock)
    {
        /// <summary>The position reached so far (an unknown position, negative, never lowers it).</summary>
        public long Reached { get; set; }
    }
}
