using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Fleet;
using ModernBert.Hub;
using ModernBert.Resilience;
using ModernBert.Storage;

namespace ModernBert.Composition;

/// <summary>
/// The clients of a process's remote dependencies, one of each per process (a coordinator's embedded worker shares
/// them): the <see cref="ObjectStoreFactory"/> (<c>Storage</c>, <c>Resilience:Storage</c>), the
/// <see cref="HuggingFaceModelResolver"/> (<c>HuggingFace</c>, <c>Resilience:HuggingFace</c>) and the broker's publish
/// pipeline (<c>Resilience:Broker</c>).
/// </summary>
public static class RemoteDependencies
{
    public static IServiceCollection AddRemoteDependencies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<StorageOptions>(configuration, StorageOptions.SectionName);
        foreach (string section in new[] { ResilienceOptions.StorageSection, ResilienceOptions.BrokerSection, ResilienceOptions.HuggingFaceSection })
            services.AddSettings<ResilienceOptions>(configuration, section, options => options.Validate(section), name: section);
        services.AddSingleton(provider => new ObjectStoreFactory(provider.GetRequiredService<IOptions<StorageOptions>>().Value,
            Resilience(provider, ResilienceOptions.StorageSection), provider.GetRequiredService<ILoggerFactory>()));
        // HuggingFace:* falls back to huggingface_hub's HF_* environment variables, which binding alone does not read.
        services.AddSingleton(provider => new HuggingFaceModelResolver(HuggingFaceOptions.FromConfiguration(configuration),
            Resilience(provider, ResilienceOptions.HuggingFaceSection), provider.GetRequiredService<ILogger<HuggingFaceModelResolver>>()));
        services.AddSingleton(provider => new BrokerResilience(ResiliencePipelines.CreateBrokerPublish(
            Resilience(provider, ResilienceOptions.BrokerSection), provider.GetRequiredService<ILogger<BrokerResilience>>())));
        return services;
    }

    private static ResilienceOptions Resilience(IServiceProvider provider, string section) =>
        provider.GetRequiredService<IOptionsMonitor<ResilienceOptions>>().Get(section);
}
