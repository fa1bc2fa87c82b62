namespace OutageClients;

/// <summary>
/// A stretch of 503 answers: from the first 503 after a success until the next success, as
/// <see cref="System.Diagnostics.Stopwatch"/> timestamps.
/// </summary>
public readonly record struct RefusalWindow(long Start, long End)
{
    public TimeSpan Length => System.Diagnostics.Stopwatch.GetElapsedTime(Start, End);
}
