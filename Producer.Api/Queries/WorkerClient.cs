using Grpc.Net.Client;
using Shared.Contracts.Grpc;

namespace Producer.Api.Queries;

/// <summary>One worker: its address and the gRPC clients over its channel.</summary>
internal sealed class WorkerClient(Uri address, GrpcChannel channel) : IDisposable
{
    public Uri Address { get; } = address;

    public ProcessedEvents.ProcessedEventsClient Events { get; } = new(channel);

    public void Dispose() => channel.Dispose();
}
