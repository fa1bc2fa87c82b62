namespace Shared.Contracts.Events;

/// <summary>Maps <see cref="EventType"/> to and from its wire name without reflection.</summary>
public static class EventTypeNames
{
    public const string Login = "LOGIN";
    public const string Logout = "LOGOUT";
    public const string ProductView = "PRODUCT_VIEW";

    /// <summary>The accepted names, for error messages and documentation.</summary>
    public static readonly string AllowedList = $"{Login}, {Logout}, {ProductView}";

    public static string ToWireName(this EventType type) => type switch
    {
        EventType.Login => Login,
        EventType.Logout => Logout,
        EventType.ProductView => ProductView,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown event type."),
    };

    /// <summary>Case-sensitive, as the schema is: "login" is not a valid event type.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out EventType type)
    {
        switch (name)
        {
            case Login: type = EventType.Login; return true;
            case Logout: type = EventType.Logout; return true;
            case ProductView: type = EventType.ProductView; return true;
            default: type = default; return false;
        }
    }
}
