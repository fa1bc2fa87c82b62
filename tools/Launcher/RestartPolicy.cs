namespace Launcher;

/// <summary>
/// When a supervised service is started again, as a container runtime's restart policy says it: always, after a
/// backoff that doubles while it keeps failing, and not at all once it has failed at start several times in a row.
/// </summary>
/// <param name="FirstBackoff">The wait before the first restart.</param>
/// <param name="MaxBackoff">The longest wait between restarts.</param>
/// <param name="MaxStartFailures">
/// Exits before ready in a row after which the service is given up on: something outside it is wrong (its port is
/// held by another process, a setting is invalid) and restarting it again would only loop.
/// </param>
/// <param name="ReadyTimeout">How long a started service may take to report ready; longer counts as a failure at start.</param>
public sealed record RestartPolicy(TimeSpan FirstBackoff, TimeSpan MaxBackoff, int MaxStartFailures, TimeSpan ReadyTimeout)
{
    /// <summary>1 s, then 2 s and 4 s; given up on after three failures at start in a row.</summary>
    public static RestartPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 3, Readiness.DefaultTimeout);

    /// <summary>The wait before the next start, after <paramref name="failuresInARow"/> failures at start (0 after a crash of a ready service).</summary>
    public TimeSpan Backoff(int failuresInARow) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(Math.Max(failuresInARow - 1, 0), 16)));
}
