using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernBert.Composition;

namespace ModernBert.Tests.Composition;

/// <summary>Settings bound and validated the way the processes register them (<see cref="SettingsRegistration"/>).</summary>
internal static class SettingsTestServices
{
    public static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(value => new KeyValuePair<string, string?>(value.Key, value.Value))).Build();

    /// <summary>The options <see cref="SettingsRegistration.AddSettings"/> binds from <paramref name="section"/>, validated at start.</summary>
    public static T Bind<T>(IConfiguration configuration, string section, Action<T>? validate = null, string? name = null)
        where T : class
    {
        using ServiceProvider provider = new ServiceCollection().AddSettings(configuration, section, validate, name).BuildServiceProvider();
        provider.ValidateSettings();
        return provider.GetRequiredService<IOptionsMonitor<T>>().Get(name ?? Options.DefaultName);
    }
}
