using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

/// <summary>The worker's services as WorkerServices registers them, on the CPU in fp32, offline.</summary>
internal static class WorkerTestServices
{
    public static ServiceProvider Create()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Worker:Device"] = "cpu",
            ["Worker:Dtype"] = "fp32",
            ["Worker:BatchTokens"] = "8192",
            ["Output:Compression"] = "Snappy",
            ["HuggingFace:Offline"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        WorkerServices.Add(services, configuration);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
