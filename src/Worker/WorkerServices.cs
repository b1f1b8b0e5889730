using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModernBert.Fleet;
using ModernBert.Hub;
using ModernBert.Outputs;
using ModernBert.Storage;

namespace ModernBert.Worker;

/// <summary>Registers a worker: in the modernbert-worker process, and in the coordinator's process in embedded mode.</summary>
public static class WorkerServices
{
    public static WorkerOptions Add(IServiceCollection services, IConfiguration configuration)
    {
        var options = new WorkerOptions();
        configuration.GetSection(WorkerOptions.SectionName).Bind(options);
        options.Validate();
        var output = new OutputOptions();
        configuration.GetSection(OutputOptions.SectionName).Bind(output);
        output.Validate();

        services.AddSingleton(options);
        services.AddSingleton(output);
        services.AddSingleton(options.ResolveSettings());
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton(provider => HuggingFaceModelResolver.FromConfiguration(configuration, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ModelCache>();
        services.AddSingleton<ResultWriters>();
        services.AddSingleton<JobProcessor>();
        services.AddSingleton(provider => ObjectStoreFactory.FromConfiguration(configuration, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider => BrokerResilience.FromConfiguration(configuration, provider.GetRequiredService<ILogger<BrokerResilience>>()));
        return options;
    }

    /// <summary>A standalone worker process: the worker, and a bus whose only endpoint is the job queue.</summary>
    public static void AddHosted(IServiceCollection services, IConfiguration configuration)
    {
        var broker = new BrokerOptions();
        configuration.GetSection(BrokerOptions.SectionName).Bind(broker);
        WorkerOptions options = Add(services, configuration);
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGracePeriod + TimeSpan.FromSeconds(5));
        FleetBus.Add(services, broker, options.ShutdownGracePeriod, waitUntilStarted: false, AddConsumer, (context, bus) => ConfigureEndpoint(context, bus, broker, options));
    }

    public static void AddConsumer(IBusRegistrationConfigurator bus) => bus.AddConsumer<InferenceJobConsumer>();

    public static void ConfigureEndpoint(IBusRegistrationContext context, IBusFactoryConfigurator bus, BrokerOptions broker, WorkerOptions options)
    {
        bus.ReceiveEndpoint(broker.JobQueue, endpoint =>
        {
            endpoint.PrefetchCount = broker.PrefetchCount > 0 ? broker.PrefetchCount : 2 * options.BatchJobs * options.ConcurrentBatches;
            endpoint.UseMessageRetry(retry => retry.Exponential(options.RetryAttempts, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2)));
            endpoint.ConfigureConsumer<InferenceJobConsumer>(context, consumer => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(options.BatchJobs)
                .SetTimeLimit(options.BatchTimeLimit)
                .SetConcurrencyLimit(options.ConcurrentBatches)));
        });
    }
}
