namespace Producer.Api.Workers;

/// <summary>Every worker the API should ask now.</summary>
internal interface IWorkerDirectory
{
    Task<IReadOnlyList<WorkerClient>> CurrentAsync(CancellationToken cancellationToken);
}
