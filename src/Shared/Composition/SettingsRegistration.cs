using System.ComponentModel;
using System.Globalization;
using System.Reflection;
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
    /// <summary>Keys of an earlier release, with what took their place (README, Configuration: upgrading).</summary>
    private static readonly Dictionary<string, string> FormerKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Coordinator:JobTokens"] = "it moved to Planning:JobTokens",
        ["Coordinator:LookAheadDocuments"] = "it moved to Planning:LookAheadChunks, which counts chunks (documents and their windows)",
        ["Coordinator:WindowOverlap"] = "it moved to Planning:WindowOverlap",
        ["Coordinator:TokenizerThreads"] = "it moved to Planning:TokenizerThreads",
        ["Output:EmbeddingPrecision"] = "the precision of embeddings is the --precision option of run and embed",
    };

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

    /// <summary>
    /// Binds <paramref name="values"/> onto <paramref name="options"/>; a key that names no setting (a typo, which the
    /// binder would pass over) or a value that does not convert is a <see cref="ConfigurationException"/>.
    /// </summary>
    public static void Bind<T>(IConfigurationSection values, T options)
        where T : class
    {
        RejectUnknownKeys(values, typeof(T));
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

    /// <summary>
    /// The settings are the properties the binder sets, and settings classes of this product nested in
    /// <paramref name="type"/>, whose keys are checked in turn (Storage:Azure:*); a collection takes any keys. A value
    /// that does not convert is reported in the user's terms (the binder names .NET types), and a duration written as a
    /// bare number is refused: .NET reads "300" as 300 days.
    /// </summary>
    private static void RejectUnknownKeys(IConfigurationSection values, Type type)
    {
        Dictionary<string, PropertyInfo> settings = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.SetMethod?.IsPublic == true || IsSettingsClass(property.PropertyType))
            .ToDictionary(property => property.Name, StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection value in values.GetChildren())
        {
            if (!settings.TryGetValue(value.Key, out PropertyInfo? setting))
                throw new ConfigurationException(FormerKeys.TryGetValue(value.Path, out string? successor)
                    ? $"{value.Path} is a setting of an earlier release: {successor} (see README, Configuration)."
                    : $"{value.Path} is not a setting; the {values.Path} settings are " +
                      $"{string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))} (see README, Configuration).");
            if (IsSettingsClass(setting.PropertyType))
                RejectUnknownKeys(value, setting.PropertyType);
            else if (value.Value is { Length: > 0 } text && ConversionProblem(Nullable.GetUnderlyingType(setting.PropertyType) ?? setting.PropertyType, text) is { } problem)
                throw new ConfigurationException($"{value.Path} is '{text}'; it must be {problem}.");
        }
    }

    /// <summary>What a value of <paramref name="type"/> must be, when <paramref name="text"/> is not one; null when it is.</summary>
    private static string? ConversionProblem(Type type, string text)
    {
        if (type == typeof(TimeSpan))
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _)
                ? "a duration written [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes"
                : null;
        string? expected = type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(bool) ? "true or false"
            : null;
        if (expected is null)
            return null;
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return expected;
        }
    }

    private static bool IsSettingsClass(Type type) => type.IsClass && type.Namespace?.StartsWith(nameof(ModernBert), StringComparison.Ordinal) == true;

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
