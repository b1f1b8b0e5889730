using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Composition;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;

namespace ModernBert.Worker;

/// <summary>
/// Composes a worker: the modernbert-worker process (<see cref="AddHosted"/>), and the worker embedded in a
/// coordinator's process (<see cref="AddWorker"/>, which shares the coordinator's remote dependencies).
/// </summary>
public static class WorkerServices
{
    /// <summary>The worker's settings (<c>Worker</c>, <c>Output</c>) and services, without the process's remote dependencies.</summary>
    public static IServiceCollection AddWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<WorkerOptions>(configuration, WorkerOptions.SectionName, options => options.Validate());
        services.AddSettings<OutputOptions>(configuration, OutputOptions.SectionName, options => options.Validate());
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<WorkerOptions>>().Value);
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<OutputOptions>>().Value);
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<IDeviceModelLoader, TaskModelLoader>();
        services.AddSingleton<DeviceLoops>();
        services.AddSingleton<ResultWriters>();
        services.AddSingleton(provider => new BatchWatchdog(provider.GetRequiredService<WorkerOptions>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System, provider.GetRequiredService<ILogger<BatchWatchdog>>(), BatchWatchdog.FailFast));
        services.AddSingleton<JobProcessor>();
        services.AddSingleton<JobIntake>();
        return services;
    }

    /// <summary>The modernbert-worker process: its remote dependencies, the worker, and a bus whose only endpoint is the job queue.</summary>
    public static void AddHosted(IServiceCollection services, IConfiguration configuration)
    {
        services.AddRemoteDependencies(configuration);
        services.AddWorker(configuration);
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = worker.Value.ShutdownGracePeriod + TimeSpan.FromSeconds(5));
        FleetBus.Add(services, configuration, waitUntilStarted: false, ShutdownGracePeriod, AddConsumer, ConfigureEndpoint);
    }

    /// <summary>Jobs the worker takes from the queue ahead of its batches: <c>Broker:PrefetchCount</c>, or two batches per device loop.</summary>
    public static int PrefetchCount(WorkerOptions options, BrokerOptions broker) =>
        broker.PrefetchCount > 0 ? broker.PrefetchCount : 2 * options.BatchJobs * options.ConcurrentBatches * options.DeviceCount;

    public static TimeSpan ShutdownGracePeriod(IServiceProvider provider) => provider.GetRequiredService<WorkerOptions>().ShutdownGracePeriod;

    public static void AddConsumer(IBusRegistrationConfigurator bus) => bus.AddConsumer<InferenceJobConsumer>();

    /// <summary>The modernbert-worker process's one endpoint, the job queue (<see cref="ConfigureJobEndpoint"/>).</summary>
    public static void ConfigureEndpoint(IBusRegistrationContext context, IBusFactoryConfigurator bus) =>
        bus.ReceiveEndpoint(context.GetRequiredService<IOptions<BrokerOptions>>().Value.JobQueue, endpoint => ConfigureJobEndpoint(context, endpoint));

    /// <summary>
    /// The job queue: jobs of a contract version this worker cannot read are refused one by one before batching; a
    /// batch that fails is retried with backoff (<c>Worker:RetryAttempts</c>) unless its error is one of the product's
    /// that retrying cannot fix (a bad checkpoint, configuration or model reference), which sends its jobs to the
    /// error queue at once. Either way each job's run gets a <see cref="Fault{T}"/> with the reason.
    /// </summary>
    public static void ConfigureJobEndpoint(IBusRegistrationContext context, IReceiveEndpointConfigurator endpoint)
    {
        BrokerOptions broker = context.GetRequiredService<IOptions<BrokerOptions>>().Value;
        WorkerOptions options = context.GetRequiredService<WorkerOptions>();
        // One prefetch budget and one batch consumer for the process, sized for every device loop.
        int batches = options.ConcurrentBatches * options.DeviceCount;
        endpoint.PrefetchCount = PrefetchCount(options, broker);
        endpoint.UseMessageRetry(retry =>
        {
            retry.Exponential(options.RetryAttempts, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));
            retry.Ignore<ModernBertException>(error => !error.IsTransient);
        });
        endpoint.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<InferenceJob>>(new ContractVersionFilter()));
        // A batch holds one run's jobs: a run's error that fails its batch (a checkpoint that cannot be loaded, say)
        // then fails no job of another run. The concurrency limit stays the endpoint's, over every run's batches.
        endpoint.ConfigureConsumer<InferenceJobConsumer>(context, consumer => consumer.Options<BatchOptions>(batch => batch
            .GroupBy<InferenceJob, string>(job => job.Message.RunId)
            .SetMessageLimit(options.BatchJobs)
            .SetTimeLimit(options.BatchTimeLimit)
            .SetConcurrencyLimit(batches)));
    }
}
