using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModernBert.Composition;

/// <summary>
/// Registers a settings class bound to its configuration section and validated when the host starts. A value that
/// does not convert is reported as a <see cref="ConfigurationException"/>, what the class's own validation rejects as
/// an <see cref="OptionsValidationException"/>; both messages name the key (<c>Section:Key</c>).
/// </summary>
public static class SettingsRegistration
{
    /// <param name="validate">Throws <see cref="ConfigurationException"/> naming the key of a setting out of range.</param>
    /// <param name="name">The options' name, for a class bound from several sections.</param>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, IConfiguration configuration, string section,
        Action<T>? validate = null, string? name = null)
        where T : class
    {
        name ??= Options.DefaultName;
        // The coordinator's embedded worker registers settings the coordinator registers too: bind and validate them once.
        if (services.Any(service => service.ServiceType == typeof(Registered<T>) && ((Registered<T>)service.ImplementationInstance!).Name == name))
            return services;
        services.AddSingleton(new Registered<T>(name));
        IConfigurationSection values = configuration.GetSection(section);
        services.AddOptions<T>(name).Configure(options => Bind(values, options)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(name, validate));
        return services;
    }

    /// <summary>Runs the validations that <c>ValidateOnStart</c> registered, for a provider that no host starts.</summary>
    public static void ValidateSettings(this IServiceProvider provider) => provider.GetRequiredService<IStartupValidator>().Validate();

    /// <summary>Binds <paramref name="values"/> onto <paramref name="options"/>; a value that does not convert is a <see cref="ConfigurationException"/>.</summary>
    public static void Bind<T>(IConfigurationSection values, T options)
        where T : class
    {
        try
        {
            values.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the type: "Failed to convert configuration value at 'Worker:BatchJobs' to type 'System.Int32'."
            throw new ConfigurationException(e.Message, e);
        }
    }

    private sealed record Registered<T>(string Name);

    /// <summary>Reports what <c>validate</c> rejects in the options named <c>name</c> as a failed validation.</summary>
    private sealed class Validator<T>(string name, Action<T>? validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if ((optionsName ?? Options.DefaultName) != name)
                return ValidateOptionsResult.Skip;
            try
            {
                validate?.Invoke(options);
                return ValidateOptionsResult.Success;
            }
            catch (ConfigurationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
