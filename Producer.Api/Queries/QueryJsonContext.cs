using System.Text.Json.Serialization;

namespace Producer.Api.Queries;

/// <summary>Source-generated serialization of the query endpoints' own answers.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProcessingStatus))]
internal sealed partial class QueryJsonContext : JsonSerializerContext;
