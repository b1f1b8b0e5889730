using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Planning;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Hub;
using ModernBert.Modeling;
using ModernBert.Checkpoints;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tokenization;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// One invocation of <c>modernbert run</c>: opens (or creates) the run in the runs store, plans and publishes its
/// jobs, tracks the workers' events until every job is done, and finalizes the output. With the in-memory
/// transport (no broker configured) the workers run in this process; otherwise they are modernbert-worker processes
/// on the same RabbitMQ.
/// </summary>
public sealed class RunSession(IConfiguration configuration, ILoggerFactory loggerFactory)
{
    public const int ExitCompleted = 0;
    public const int ExitFailed = 1;
    public const int ExitCompletedWithFailures = 2;
    public const int ExitInterrupted = 130;

    private readonly ILogger _logger = loggerFactory.CreateLogger<RunSession>();

    /// <summary>What the run came to, for the user: set when <see cref="ExecuteAsync"/> returns from a run that ended.</summary>
    public string? Summary { get; private set; }

    /// <param name="observe">Given the run's tracker once the run starts, e.g. for a benchmark to sample progress.</param>
    public async Task<int> ExecuteAsync(RunRequest request, bool interactive, CancellationToken cancellationToken, Action<RunTracker>? observe = null)
    {
        var stores = ObjectStoreFactory.FromConfiguration(configuration, loggerFactory);
        var runs = Bind<RunsOptions>(RunsOptions.SectionName);
        string runsLocation = runs.AbsoluteLocation();
        var runStore = new RunStore(stores.OpenFolder(StoreLocation.Parse(runsLocation)), runsLocation);
        var planning = PlanningOptions.FromConfiguration(configuration);
        var coordinator = Bind<CoordinatorOptions>(CoordinatorOptions.SectionName);
        coordinator.Validate();
        var broker = Bind<BrokerOptions>(BrokerOptions.SectionName);
        var output = Bind<OutputOptions>(OutputOptions.SectionName);

        using var models = HuggingFaceModelResolver.FromConfiguration(configuration, loggerFactory);
        RunSpec spec = await OpenSpecAsync(request, runStore, models, runsLocation, planning, cancellationToken);
        // A resumed run's spec may come from a version with other tasks: refuse it before any job is published.
        InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions);
        (RunState state, RunJournal journal) = await runStore.OpenAsync(spec.RunId, cancellationToken);
        await using (journal)
        {
            if (state.Finished is { Status: not RunStatus.Failed } finished)
            {
                Summary = $"Run {spec.RunId} already finished: {RunSummary.Status(finished.Status)}. Output: {spec.Job.OutputLocation}";
                return ExitCode(finished.Status);
            }
            _logger.LogInformation("Run {Run}: {Inputs} -> {Output} ({Broker})", spec.RunId, string.Join(", ", spec.Inputs),
                spec.Job.OutputLocation, broker);

            var tracker = new RunTracker(spec.RunId, state, journal);
            observe?.Invoke(tracker);
            string eventsQueue = $"modernbert-run-{spec.RunId}";
            IHost host = BuildHost(tracker, broker, eventsQueue, stores);
            await host.StartAsync(cancellationToken);
            RunStatus status;
            string? reason = null;
            try
            {
                (RunPlanner planner, IReadOnlyList<CorpusObject> corpus) = await PrepareAsync(spec, runStore, models, planning, stores, cancellationToken);
                var publisher = new JobPublisher(host.Services.GetRequiredService<ISendEndpointProvider>(), runStore,
                    BrokerResilience.FromConfiguration(configuration, _logger).Pipeline, broker, coordinator.InlinePayloadBytes);
                var driver = new RunDriver(tracker, publisher, coordinator, loggerFactory.CreateLogger<RunDriver>());
                var reporter = new ProgressReporter(tracker, () => tracker.Read(s => s.Planning?.Tokens),
                    host.Services.GetRequiredService<CoordinatorMetrics>(), loggerFactory.CreateLogger<ProgressReporter>());
                using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task reporting = reporter.RunAsync(interactive, stopReporting.Token);
                try
                {
                    await driver.RunAsync(spec, planner, corpus, eventsQueue, broker.Transport == BrokerTransport.RabbitMq, cancellationToken);
                }
                finally
                {
                    await stopReporting.CancelAsync();
                    await reporting;
                }
                status = tracker.Read(s => s.FailedCount) > 0 ? RunStatus.CompletedWithFailures : RunStatus.Completed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"Run {spec.RunId} interrupted; its progress is saved. Continue it with: modernbert run --resume {spec.RunId}");
                return ExitInterrupted;
            }
            catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException or ArgumentException
                                         or StorageLocationException or UnauthorizedAccessException or ModelResolutionException
                                         or ModelConfigException or CheckpointException)
            {
                (status, reason) = (RunStatus.Failed, e.Message);
                _logger.LogError("Run {Run} failed: {Reason}", spec.RunId, e.Message);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
                host.Dispose();
            }

            var finalizer = new RunFinalizer(stores.OpenFolder(StoreLocation.Parse(spec.Job.OutputLocation)), output.Compression,
                loggerFactory.CreateLogger<RunFinalizer>());
            RunManifest manifest = await finalizer.FinalizeAsync(spec, tracker.Read(s => s), status, reason, CancellationToken.None);
            await tracker.RecordAsync(new RunFinishedEvent(status, reason, DateTimeOffset.UtcNow));
            Summary = RunSummary.Describe(manifest, spec.Job.OutputLocation);
            return ExitCode(status);
        }
    }

    private static int ExitCode(RunStatus status) => status switch
    {
        RunStatus.Completed => ExitCompleted,
        RunStatus.CompletedWithFailures => ExitCompletedWithFailures,
        _ => ExitFailed,
    };

    private async Task<RunSpec> OpenSpecAsync(RunRequest request, RunStore store, HuggingFaceModelResolver models, string runsLocation,
        PlanningOptions planning, CancellationToken cancellationToken)
    {
        if (request.Resume is string resume)
            return await store.ReadSpecAsync(resume, cancellationToken)
                ?? throw new ArgumentException($"There is no run {resume} in {store.DescribeRun(resume)}.");
        if (request.RunId is string id && await store.ReadSpecAsync(id, cancellationToken) is { } existing)
        {
            bool sameInputs = request.Inputs.Count == 0 || request.Inputs.Select(StoreLocation.Absolute).SequenceEqual(existing.Inputs);
            bool sameModel = request.Model is null || request.Model == existing.Job.Model
                || Directory.Exists(request.Model) && Path.GetFullPath(request.Model) == existing.Job.Model;
            if (!sameInputs || !sameModel)
                throw new ArgumentException($"Run {id} exists with other inputs or another model ({string.Join(", ", existing.Inputs)}; " +
                    $"{existing.Job.Model}). Give a new --run-id, or --resume {id} to continue it as it is.");
            _logger.LogInformation("Run {Run} exists: resuming it", id);
            return existing;
        }
        if (request.Inputs.Count == 0 || request.Model is null)
            throw new ArgumentException("A new run needs --input and --model.");
        // Workers get the model pinned to the commit resolved now, so that a moving branch cannot change it mid-run.
        string folder = await models.ResolveAsync(request.Model, request.Revision, cancellationToken);
        bool local = Directory.Exists(request.Model);
        string runId = request.RunId ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
        var spec = new RunSpec
        {
            RunId = runId,
            Inputs = request.Inputs.Select(StoreLocation.Absolute).ToArray(),
            JobTokens = planning.JobTokens,
            WindowOverlap = planning.WindowOverlap,
            CreatedAt = DateTimeOffset.UtcNow,
            Job = new JobSpec
            {
                Task = request.Task.Name,
                TaskOptions = request.Task.OptionsJson,
                Model = local ? folder : request.Model,
                Revision = local ? null : Path.GetFileName(folder),
                OutputLocation = StoreLocation.Absolute(request.Output ?? $"{runsLocation}/{runId}/output").TrimEnd('/'),
            },
        };
        await store.WriteSpecAsync(spec, cancellationToken);
        return spec;
    }

    private async Task<(RunPlanner, IReadOnlyList<CorpusObject>)> PrepareAsync(RunSpec spec, RunStore runStore, HuggingFaceModelResolver models,
        PlanningOptions planning, ObjectStoreFactory stores, CancellationToken cancellationToken)
    {
        string folder = await models.ResolveAsync(spec.Job.Model, spec.Job.Revision, cancellationToken);
        ModelFolder model = ModelFolder.Open(folder);
        planning.JobTokens = spec.JobTokens;
        planning.WindowOverlap = spec.WindowOverlap;
        var planner = new RunPlanner(ModernBertTokenizer.Load(folder), planning, InputOptions.FromConfiguration(configuration),
            model.Config.MaxPositionEmbeddings);
        IReadOnlyList<CorpusObject>? corpus = await runStore.ReadCorpusAsync(spec.RunId, stores, cancellationToken);
        if (corpus == null)
        {
            corpus = await CorpusResolver.ResolveAsync(stores, spec.Inputs, cancellationToken);
            await runStore.WriteCorpusAsync(spec.RunId, corpus, cancellationToken);
        }
        return (planner, corpus);
    }

    private IHost BuildHost(RunTracker tracker, BrokerOptions broker, string eventsQueue, ObjectStoreFactory stores) =>
        FleetHost.Build(configuration, defaultTelemetryPort: 0, builder =>
        {
            IServiceCollection services = builder.Services;
            services.AddSingleton(tracker);
            services.AddSingleton<CoordinatorMetrics>();
            bool embedded = broker.Transport == BrokerTransport.InMemory;
            WorkerOptions? worker = embedded ? WorkerServices.Add(services, configuration) : null;
            TimeSpan stop = worker?.ShutdownGracePeriod ?? TimeSpan.FromSeconds(30);
            FleetBus.Add(services, broker, stop, waitUntilStarted: true,
                bus =>
                {
                    bus.AddConsumer<RunEventsConsumer>();
                    if (embedded)
                        WorkerServices.AddConsumer(bus);
                },
                (context, bus) =>
                {
                    bus.ReceiveEndpoint(eventsQueue, endpoint => endpoint.ConfigureConsumer<RunEventsConsumer>(context));
                    if (worker != null)
                        WorkerServices.ConfigureEndpoint(context, bus, broker, worker);
                });
        });

    private T Bind<T>(string section) where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }
}
