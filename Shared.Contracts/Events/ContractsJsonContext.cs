using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shared.Contracts.Events;

/// <summary>Source-generated (reflection-free) serialization of the contract types, camelCase as on the wire.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserActivityEvent))]
[JsonSerializable(typeof(UserActivityEvent[]))]
[JsonSerializable(typeof(List<UserActivityEvent>))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
