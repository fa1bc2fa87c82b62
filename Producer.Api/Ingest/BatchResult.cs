using System.Text.Json.Serialization;

namespace Producer.Api.Ingest;

/// <summary>What became of one entry of a batch: its eventId once accepted, or why not.</summary>
internal sealed record BatchEntryResult(
    int Index,
    int Status,
    Guid? EventId = null,
    string? Detail = null,
    IDictionary<string, string[]>? Errors = null);

/// <summary>The answer to a batch: counts, and one result per entry in the order sent.</summary>
internal sealed record BatchResult(int Accepted, int Rejected, IReadOnlyList<BatchEntryResult> Results);

/// <summary>Source-generated serialization of the batch answer.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BatchResult))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
