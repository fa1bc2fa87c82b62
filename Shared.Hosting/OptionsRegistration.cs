using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Shared.Hosting;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from the root configuration, where environment variables land under
    /// their own names, and validates it at start-up: a bad setting stops the service with a message that
    /// names the variable instead of failing on first use.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration)
        where T : class =>
        services.AddOptions<T>()
            .Bind(configuration)
            .ValidateDataAnnotations()
            .ValidateOnStart();

    /// <summary>Reads and validates options before the host is built, for settings the host itself needs (ports, logging).</summary>
    public static T ReadValidated<T>(this IConfiguration configuration)
        where T : class, new()
    {
        var options = new T();
        configuration.Bind(options);
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
}
