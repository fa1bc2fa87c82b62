namespace Producer.Api.Ingest;

/// <summary>What became of one entry of a batch: its eventId, partition and offset once accepted, or why not.</summary>
internal sealed record BatchEntryResult(
    int Index,
    int Status,
    Guid? EventId = null,
    string? Detail = null,
    IDictionary<string, string[]>? Errors = null,
    int? Partition = null,
    long? Offset = null);
