namespace Consumer.Worker.Consuming;

/// <summary>
/// The one reference through which health checks, gRPC and metrics see what the worker serves. Only
/// <see cref="PartitionLifecycle"/> publishes, from the consume thread, and only when something changes (an
/// assignment, a revocation, a loss, a partition rebuilt or caught up); readers take <see cref="Current"/> without a
/// lock and keep a consistent picture for as long as they hold it.
/// </summary>
public sealed class ServingState
{
    private ServingSnapshot _current = ServingSnapshot.NotStarted;

    public ServingSnapshot Current => Volatile.Read(ref _current);

    internal void Publish(ServingSnapshot snapshot) => Volatile.Write(ref _current, snapshot);
}
