using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Composition;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Inputs;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Worker;

namespace ModernBert.Coordinator;

/// <summary>
/// The composition of the CLI's fleet commands: <c>status</c> reads the runs store; <c>run</c> adds the bus, planning,
/// publishing and finalizing, and, with no broker configured, the embedded worker, which shares the process's one
/// <see cref="ObjectStoreFactory"/> and Hub resolver. Settings are bound here and validated when the host starts.
/// </summary>
public static class CoordinatorHost
{
    /// <summary>A plain host, serving no telemetry even where <c>Telemetry:Port</c> is set (as in a coordinator's pod, where a run serves it).</summary>
    public static IHost ForStatus(IConfiguration configuration)
    {
        HostApplicationBuilder builder = FleetHost.CreatePlainBuilder();
        builder.Configuration.AddConfiguration(configuration);
        ConfigureCli(builder, terminal: null);
        AddRunStore(builder.Services, configuration);
        return builder.Build();
    }

    /// <summary>
    /// <c>embed</c> and <c>classify</c>, which read a corpus and run the model in this process: the stores, the Hub
    /// resolver and the corpus, output and worker settings, validated by <see cref="SettingsRegistration.ValidateSettings"/>; no bus.
    /// </summary>
    /// <param name="errors">Where log lines are written.</param>
    public static IHost ForLocalInference(IConfiguration configuration, TextWriter errors) => BuildLocal(configuration, errors, services =>
    {
        services.AddSettings<OutputOptions>(configuration, OutputOptions.SectionName, options => options.Validate());
        services.AddSettings<WorkerOptions>(configuration, WorkerOptions.SectionName, options => options.Validate());
    });

    /// <summary>
    /// <c>tokenize</c>, which reads a corpus and writes its ids: the stores and the corpus settings. A shared
    /// appsettings.json's output and worker sections are not its concern.
    /// </summary>
    /// <param name="errors">Where log lines are written.</param>
    public static IHost ForTokenize(IConfiguration configuration, TextWriter errors) => BuildLocal(configuration, errors, _ => { });

    private static IHost BuildLocal(IConfiguration configuration, TextWriter errors, Action<IServiceCollection> addSettings)
    {
        HostApplicationBuilder builder = FleetHost.CreatePlainBuilder();
        builder.Configuration.AddConfiguration(configuration);
        // These commands write their own report on standard output and errors; log lines go beside it, at the levels
        // of the configuration (CliConfiguration.Build with quiet logs: warnings and the hub's downloads).
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new LineLoggerProvider(LineLogger.LinesTo(errors)));
        IServiceCollection services = builder.Services;
        services.AddRemoteDependencies(configuration);
        services.AddSettings<PlanningOptions>(configuration, PlanningOptions.SectionName, options => options.Validate());
        services.AddSettings<InputOptions>(configuration, InputOptions.SectionName, options => options.Validate());
        addSettings(services);
        return builder.Build();
    }

    /// <param name="terminal">The terminal the run's progress line is shown on, which log lines then share; null: logs go to the console.</param>
    public static IHost ForRuns(IConfiguration configuration, TerminalStatusLine? terminal = null) => FleetHost.Build(configuration, defaultTelemetryPort: 0, builder =>
    {
        ConfigureCli(builder, terminal);
        IServiceCollection services = builder.Services;
        if (terminal is not null)
            services.AddSingleton(terminal);
        AddRunStore(services, configuration);
        services.AddSettings<CoordinatorOptions>(configuration, CoordinatorOptions.SectionName, options => options.Validate());
        services.AddSettings<PlanningOptions>(configuration, PlanningOptions.SectionName, options => options.Validate());
        services.AddSettings<InputOptions>(configuration, InputOptions.SectionName, options => options.Validate());
        services.AddSettings<OutputOptions>(configuration, OutputOptions.SectionName, options => options.Validate());
        services.AddSingleton<CoordinatorMetrics>();
        services.AddSingleton<RunSpecs>();
        services.AddSingleton<RunPreparation>();
        services.AddSingleton<RunEventsEndpoint>();
        services.AddSingleton<RunEventsQueue>();
        services.AddSingleton(provider => new JobPublisher(provider.GetRequiredService<IBus>(), provider.GetRequiredService<RunStore>(),
            provider.GetRequiredService<BrokerResilience>().Pipeline, provider.GetRequiredService<IOptions<BrokerOptions>>().Value,
            provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.InlinePayloadBytes));
        services.AddSingleton<RunService>();

        bool embedded = BrokerOptions.TransportOf(configuration) == BrokerTransport.InMemory;
        if (embedded)
        {
            services.AddWorker(configuration);
            // Jobs queued in process hold their documents: beyond what the embedded worker takes, they would only hold
            // more of the corpus (all of it, up to the default 2,048 jobs), so the default is twice its prefetch.
            if (configuration[$"{CoordinatorOptions.SectionName}:{nameof(CoordinatorOptions.MaxOutstandingJobs)}"] is null)
                services.AddOptions<CoordinatorOptions>().PostConfigure<IOptions<WorkerOptions>, IOptions<BrokerOptions>>((coordinator, worker, broker) =>
                {
                    try
                    {
                        coordinator.MaxOutstandingJobs = Math.Max(1, 2 * WorkerServices.PrefetchCount(worker.Value, broker.Value));
                    }
                    catch (Exception e) when (e is OptionsValidationException or ConfigurationException)
                    {
                        // Their own validation reports the worker's or broker's settings, beside the coordinator's.
                    }
                });
        }
        FleetBus.Add(services, configuration, waitUntilStarted: true,
            provider => embedded ? WorkerServices.ShutdownGracePeriod(provider) : TimeSpan.FromSeconds(30),
            bus =>
            {
                if (embedded)
                    WorkerServices.AddConsumer(bus);
            });
        // After the bus's hosted service: it connects its job endpoint once the bus runs, and stops it before the bus.
        if (embedded)
        {
            services.AddSingleton<EmbeddedWorker>();
            services.AddHostedService(provider => provider.GetRequiredService<EmbeddedWorker>());
        }
    });

    /// <summary>
    /// Validates every setting, reporting all that are invalid at once, and the embedded worker's devices, then starts the
    /// host. Validating first keeps a bad setting from surfacing while the host builds its services, where it would be
    /// logged with a stack trace.
    /// </summary>
    /// <exception cref="TimeoutException">The broker did not accept a connection within <see cref="BrokerOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="ConfigurationException">The embedded worker names a device libtorch cannot serve.</exception>
    public static async Task StartAsync(IHost host, CancellationToken cancellationToken)
    {
        host.Services.ValidateSettings();
        // As modernbert-worker checks its own: a device libtorch cannot serve would fail every job of the run.
        if (host.Services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(DeviceLoops)))
            host.Services.GetRequiredService<WorkerOptions>().EnsureDevicesAvailable();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (RabbitMqConnectionException e)
        {
            // MassTransit reports a start cancelled while it retries as the last connection failure.
            cancellationToken.ThrowIfCancellationRequested();
            BrokerOptions broker = host.Services.GetRequiredService<IOptions<BrokerOptions>>().Value;
            throw new TimeoutException($"The broker {broker} did not accept a connection within {broker.ConnectTimeout} " +
                $"({BrokerOptions.SectionName}:{nameof(BrokerOptions.ConnectTimeout)}): {e.GetBaseException().Message}", e);
        }
    }

    private static void ConfigureCli(IHostApplicationBuilder builder, TerminalStatusLine? terminal)
    {
        builder.Logging.ClearProviders();
        // On standard error: standard output holds the command's own report, which scripts read (status --json).
        builder.Logging.AddProvider(new LineLoggerProvider(terminal is null ? LineLogger.LinesTo(Console.Error) : terminal.WriteLine));
        // The host logs a failed start with its stack trace; the command reports it in one line (CommandOutcome).
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
    }

    private static void AddRunStore(IServiceCollection services, IConfiguration configuration)
    {
        services.AddRemoteDependencies(configuration);
        services.AddSettings<RunsOptions>(configuration, RunsOptions.SectionName, options => options.Validate());
        services.AddSingleton(provider =>
        {
            string location = provider.GetRequiredService<IOptions<RunsOptions>>().Value.AbsoluteLocation();
            return new RunStore(provider.GetRequiredService<ObjectStoreFactory>().OpenFolder(StoreLocation.Parse(location)), location);
        });
    }
}
