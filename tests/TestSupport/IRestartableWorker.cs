namespace TestSupport;

public interface IRestartableWorker
{
    /// <summary>Stops the worker the way SIGTERM does: the consumer commits and leaves the group.</summary>
    Task StopAsync();

    /// <summary>Starts a fresh worker (an empty store) in the same group and waits until it is ready.</summary>
    Task StartAsync();

    /// <summary>Events the running worker has processed (not merely rebuilt from the log) since it started.</summary>
    long ProcessedSinceStart { get; }

    /// <summary>Copies of events already in the store that the running worker met since it started (and stored nothing for).</summary>
    long DuplicatesSinceStart { get; }
}
