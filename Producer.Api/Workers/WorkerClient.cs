using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>One worker: its address and its gRPC client; disposing it closes the channel under the client.</summary>
internal sealed class WorkerClient(Uri address, ProcessedEvents.ProcessedEventsClient events, IDisposable? channel = null) : IDisposable
{
    public Uri Address { get; } = address;

    public ProcessedEvents.ProcessedEventsClient Events { get; } = events;

    public void Dispose() => channel?.Dispose();
}
