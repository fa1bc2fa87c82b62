using System.Text.Json.Serialization;

namespace Producer.Api.Ingest;

/// <summary>Source-generated serialization of the batch answer.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BatchResult))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
