namespace Producer.Api.Ingest;

/// <summary>The answer to a batch: counts, and one result per entry in the order sent.</summary>
internal sealed record BatchResult(int Accepted, int Rejected, IReadOnlyList<BatchEntryResult> Results);
