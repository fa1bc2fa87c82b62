using Grpc.Core;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>One worker's open list stream, with the first page already read.</summary>
internal sealed record WorkerStream(Uri Address, AsyncServerStreamingCall<ProcessedEventPage> Call, ProcessedEventPage FirstPage, Ownership Ownership);
