using System.Text.Json.Serialization;

namespace Bench;

/// <summary>Source-generated serialization of the load generator's result, written by one process and read by another.</summary>
[JsonSerializable(typeof(LoadResult))]
internal sealed partial class LoadResultJsonContext : JsonSerializerContext;
