using System.Reflection;

namespace TestSupport;

/// <param name="Name">The environment variable.</param>
/// <param name="Property">The option it binds to.</param>
public sealed record ServiceVariable(string Name, PropertyInfo Property)
{
    public string Owner => $"{Property.DeclaringType!.FullName}.{Property.Name}";
}
