namespace Producer.Api.Workers;

/// <summary>How many events the API asks a worker for in each streamed page of a list.</summary>
internal static class WorkerPage
{
    /// <summary>
    /// About 50 KB of events: under the 85 KB from which .NET puts a buffer on the large object heap, which only a
    /// full collection frees. With the worker's default of 1000 (200 KB) every page read by the API was such a
    /// buffer, and its memory grew with the length of the list (bench/run's query phase).
    /// </summary>
    public const int Size = 256;
}
