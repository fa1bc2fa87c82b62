using Grpc.Core;
using Grpc.Net.Client;
using Shared.Contracts.Grpc;

namespace Launcher;

/// <summary>Asks workers over gRPC which partitions they serve (GetOwnership), to show how the group split the topic.</summary>
public sealed class WorkerOwnership : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);
    private readonly List<(string Name, GrpcChannel Channel)> _workers;

    /// <param name="workers">Each worker's name and gRPC port on 127.0.0.1.</param>
    public WorkerOwnership(IEnumerable<(string Name, int GrpcPort)> workers)
    {
        _workers = [.. workers.Select(w => (w.Name, GrpcChannel.ForAddress($"http://127.0.0.1:{w.GrpcPort}")))];
    }

    /// <summary>The partitions each worker serves now; null for a worker that does not answer.</summary>
    public async Task<IReadOnlyList<(string Name, IReadOnlyList<int>? Served)>> ReadAsync(CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(_workers.Select(w => ServedAsync(w.Channel, cancellationToken)));
        return [.. _workers.Select((w, i) => (w.Name, answers[i]))];
    }

    /// <summary>"worker [0], worker2 [1], worker3 [2]": a worker that does not answer shows as "down".</summary>
    public static string Describe(IReadOnlyList<(string Name, IReadOnlyList<int>? Served)> split) =>
        string.Join(", ", split.Select(w => w.Served is { } served ? $"{w.Name} [{string.Join(",", served)}]" : $"{w.Name} down"));

    public void Dispose()
    {
        foreach (var (_, channel) in _workers)
        {
            channel.Dispose();
        }
    }

    private static async Task<IReadOnlyList<int>?> ServedAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var ownership = await new ProcessedEvents.ProcessedEventsClient(channel)
                .GetOwnershipAsync(new GetOwnershipRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);
            return [.. ownership.Partitions.Order()];
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // Down, restarting, or not listening yet.
        }
    }
}
