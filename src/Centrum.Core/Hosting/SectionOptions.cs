using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Centrum.Hosting;

/// <summary>
/// Options bound from one configuration section and validated before the server accepts anything: the data
/// annotations and <see cref="IValidatableObject"/> rules of the class, each failure naming the full key an operator
/// sets (<c>Centrum:Network:MqttPort: …</c>). The same validator runs where a value is needed before the host is built.
/// </summary>
public static class SectionOptions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>; the host refuses to start while it is invalid.</summary>
    public static OptionsBuilder<T> AddSectionOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new SectionValidator<T>(section)));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// Reads and validates <typeparamref name="T"/> where it is needed before the host exists (listeners, the data
    /// folder, the server certificate); throws <see cref="OptionsValidationException"/> naming every refused key.
    /// </summary>
    public static T GetValidated<T>(this IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var failures = new SectionValidator<T>(section).Failures(options);
        return failures.Count == 0 ? options : throw new OptionsValidationException(section, typeof(T), failures);
    }
}

/// <summary>Validates one section's options class, naming each failure by its configuration key.</summary>
public sealed class SectionValidator<T>(string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = Failures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public IReadOnlyList<string> Failures(T options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => $"{Key(r)}: {r.ErrorMessage}").ToList();
    }

    private string Key(ValidationResult result) =>
        result.MemberNames.FirstOrDefault() is { Length: > 0 } member ? $"{section}:{member}" : section;
}
