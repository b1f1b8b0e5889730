using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModernBert.Composition;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

/// <summary>The worker's services as an embedded worker's process registers them, on the CPU in fp32, offline.</summary>
internal static class WorkerTestServices
{
    /// <param name="settings">Configuration keys set on top of those, or in their place.</param>
    public static ServiceProvider Create(params (string Key, string Value)[] settings) => Create(logger: null, settings);

    /// <param name="logger">Receives every category's log, when given.</param>
    /// <param name="settings">Configuration keys set on top of those, or in their place.</param>
    public static ServiceProvider Create(ILoggerProvider? logger, params (string Key, string Value)[] settings) => Create(logger, replace: null, settings);

    /// <param name="replace">Registers services in place of the worker's own (registered after them).</param>
    /// <param name="settings">Configuration keys set on top of those, or in their place.</param>
    public static ServiceProvider Create(Action<IServiceCollection> replace, params (string Key, string Value)[] settings) => Create(logger: null, replace, settings);

    private static ServiceProvider Create(ILoggerProvider? logger, Action<IServiceCollection>? replace, (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Worker:Devices"] = "cpu",
            ["Worker:Dtype"] = "fp32",
            ["Worker:BatchTokens"] = "8192",
            ["Output:Compression"] = "Snappy",
            ["HuggingFace:Offline"] = "true",
        };
        foreach ((string key, string value) in settings)
            values[key] = value;
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(builder =>
        {
            if (logger is not null)
                builder.AddProvider(logger);
        });
        services.AddRemoteDependencies(configuration).AddWorker(configuration);
        replace?.Invoke(services);
        ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        provider.ValidateSettings();
        return provider;
    }
}
