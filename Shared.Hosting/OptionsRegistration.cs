using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Shared.Hosting;

public static class OptionsRegistration
{
    /// <summary>
    /// The one way a service reads its settings, as it registers what needs them: <typeparamref name="T"/> is bound
    /// and validated now, so that a bad setting stops the service before the host is built with one line naming the
    /// variable; and it is registered as <c>IOptions&lt;T&gt;</c> for the service's classes (<see cref="AddValidatedOptions{T}(IServiceCollection, IConfiguration)"/>).
    /// Once per builder: every registration that needs the same settings gets the same instance.
    /// </summary>
    /// <returns>The settings, for what the host itself needs before it is built (ports, logging).</returns>
    public static T AddValidatedOptions<T>(this IHostApplicationBuilder builder)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = (typeof(OptionsRegistration), typeof(T));
        if (builder.Properties.TryGetValue(key, out var read))
        {
            return (T)read;
        }

        var options = builder.Configuration.ReadValidated<T>();
        builder.Services.AddValidatedOptions<T>(builder.Configuration);
        builder.Properties[key] = options;
        return options;
    }

    /// <summary>
    /// Binds <typeparamref name="T"/> from the root configuration, where environment variables land under
    /// their own names, and validates it at start-up: a bad setting stops the service with a message that
    /// names the variable instead of failing on first use.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration)
        where T : class =>
        services.AddOptions<T>()
            .Configure(options => BindChecked(configuration, options))
            .ValidateDataAnnotations()
            .ValidateOnStart();

    /// <summary>Reads and validates options before the host is built, for settings the host itself needs (ports, logging).</summary>
    public static T ReadValidated<T>(this IConfiguration configuration)
        where T : class, new()
    {
        var options = new T();
        BindChecked(configuration, options);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(
                typeof(T).Name,
                typeof(T),
                results.Select(r => r.ErrorMessage ?? $"{string.Join(", ", r.MemberNames)} is invalid."));
        }

        return options;
    }

    /// <summary>
    /// Binds, after checking that every value converts to its property's type the way the binder converts it. The
    /// binder's own failure (PUBLISH_TIMEOUT_MS=abc) is an exception three levels deep; this one is a validation
    /// failure that names the variable and what it accepts, which the host prints as one line.
    /// </summary>
    private static void BindChecked<T>(IConfiguration configuration, T options)
        where T : class
    {
        var errors = ConversionErrors(typeof(T), configuration).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(T), errors);
        }

        configuration.Bind(options);
    }

    private static IEnumerable<string> ConversionErrors(Type type, IConfiguration configuration)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var variable = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var value = configuration[variable];
            var target = Nullable.GetUnderlyingType(property.PropertyType);
            if (value is null || property.PropertyType == typeof(string) || (target is not null && value.Length == 0))
            {
                continue;
            }

            target ??= property.PropertyType;
            var converter = TypeDescriptor.GetConverter(target);
            if (!converter.CanConvertFrom(typeof(string)) || Converts(converter, value))
            {
                continue;
            }

            // The range message, where there is one, says what the variable accepts in the service's own words.
            var accepts = property.GetCustomAttribute<RangeAttribute>()?.ErrorMessage ?? $"{variable} must be {Kind(target)}.";
            yield return $"{variable} is '{value}', which is not {Kind(target)}: {accepts}";
        }
    }

    private static bool Converts(TypeConverter converter, string value)
    {
        try
        {
            converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Kind(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) ? "a whole number"
        : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "a number"
        : type == typeof(bool) ? "true or false"
        : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
        : string.Create(CultureInfo.InvariantCulture, $"a {type.Name}");
}
