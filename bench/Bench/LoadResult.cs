namespace Bench;

/// <summary>
/// What the end-to-end load generator measured in its own process: one JSON document on its standard output, which
/// the end-to-end phase reads back (<see cref="LoadGenerator"/>).
/// </summary>
/// <param name="Sent">POSTs sent in the measured window.</param>
/// <param name="NotCreated">POSTs answered with another status than 201.</param>
/// <param name="Unanswered">POSTs and GETs that got no answer: refused, reset, or past the client's timeout.</param>
/// <param name="NeverVisible">Timed events answered 201 that no GET found within 5 s.</param>
/// <param name="VisibleMs">Per timed event found: milliseconds from sending its POST until a GET first found it.</param>
/// <param name="CreatedToVisibleMs">The same events, in the same order: milliseconds from its 201 until a GET first found it.</param>
/// <param name="PostMs">Per timed event answered 201: milliseconds from sending its POST until the 201.</param>
/// <param name="WarmUpSent">POSTs sent before it, in the load generator's own warm-up (at the same rate).</param>
/// <param name="CpuMs">
/// CPU time (user and system) of the load generator's process from its first POST until its last answer: the client's
/// share, which no longer runs in the harness's process beside the broker.
/// </param>
internal sealed record LoadResult(int Sent, int NotCreated, int Unanswered, int NeverVisible, double[] VisibleMs, double[] CreatedToVisibleMs, double[] PostMs, int WarmUpSent, double CpuMs)
{
    /// <summary>Every one of them fails the run.</summary>
    public int Errors => NotCreated + Unanswered + NeverVisible;
}
