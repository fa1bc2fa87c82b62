using System.Text.Json.Serialization;

namespace Shared.Contracts.Events;

/// <summary>The kinds of user activity the pipeline accepts. The wire names are the upper-case strings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventType>))]
public enum EventType
{
    [JsonStringEnumMemberName("LOGIN")]
    Login,

    [JsonStringEnumMemberName("LOGOUT")]
    Logout,

    [JsonStringEnumMemberName("PRODUCT_VIEW")]
    ProductView,
}
