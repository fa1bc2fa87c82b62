using System.Text.Json;
using System.Text.Json.Serialization;

namespace Producer.Api.Http;

/// <summary>Source-generated serialization of the types that describe the endpoints' JSON to the OpenAPI document.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NewEvent))]
[JsonSerializable(typeof(PublishedEvent))]
[JsonSerializable(typeof(PublishedEvent[]))]
internal sealed partial class ApiDocumentJsonContext : JsonSerializerContext;
