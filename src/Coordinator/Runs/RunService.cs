using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Planning;
using ModernBert.Fleet;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Runs one <c>modernbert run</c> on the started bus: opens the run's spec (<see cref="RunSpecs"/>), takes the run's
/// lease (so that one coordinator at a time drives it), keeps the spec of a new run, plans and publishes its jobs,
/// records the workers' events until every job is done, and finalizes the output. A run that an error ends (one the
/// user can act on) is finalized as failed, to be resumed; any other error propagates. Losing the lease stops every
/// write to the run and ends with <see cref="RunLeaseException"/>.
/// </summary>
/// <param name="terminal">The terminal that shows the run's progress line (the CLI's host has one on a terminal); null: progress is logged.</param>
/// <param name="embeddedWorker">The worker in this process, when no broker is configured.</param>
public sealed class RunService(
    RunSpecs specs, RunStore store, RunPreparation preparation, RunEventsEndpoint events, RunEventsQueue eventsQueue, JobPublisher publisher,
    ObjectStoreFactory stores,
    IOptions<CoordinatorOptions> coordinator, IOptions<BrokerOptions> broker, IOptions<OutputOptions> output, CoordinatorMetrics metrics,
    ILoggerFactory loggerFactory, TerminalStatusLine? terminal = null, EmbeddedWorker? embeddedWorker = null)
{
    /// <summary>How often a coordinator waiting for a run's lease tries to take it.</summary>
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggerFactory.CreateLogger<RunService>();

    /// <param name="observe">Given the run's tracker once the run starts, e.g. for a benchmark to sample progress.</param>
    /// <exception cref="RunLeaseException">Another coordinator holds the run (and the request does not wait), or took it over.</exception>
    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken, Action<RunTracker>? observe = null)
    {
        // A request that cannot start ends here, before the lease, which would leave the run's folder behind.
        OpenedRunSpec opened = await specs.OpenAsync(request, cancellationToken);
        string runId = opened.Spec.RunId;
        await using IObjectLease lease = await AcquireLeaseAsync(runId, request.WaitForLease, cancellationToken);
        using var leased = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        try
        {
            RunOutcome outcome = await RunLeasedAsync(opened, request, lease, leased.Token, observe);
            return outcome is RunOutcome.Interrupted && lease.Lost.IsCancellationRequested ? throw LeaseLost(runId, null) : outcome;
        }
        catch (Exception e) when (e is AppendConflictException || e is OperationCanceledException && lease.Lost.IsCancellationRequested)
        {
            throw LeaseLost(runId, e);
        }
    }

    private async Task<IObjectLease> AcquireLeaseAsync(string runId, bool wait, CancellationToken cancellationToken)
    {
        for (bool waiting = false; ; waiting = true)
        {
            if (await store.TryLeaseAsync(runId, cancellationToken) is { } lease)
                return lease;
            if (!wait)
                throw new RunLeaseException($"run {runId} is driven by another coordinator, which holds {store.DescribeLease(runId)}; " +
                    "give --wait-for-lease to wait for it and then resume the run.");
            if (!waiting)
                _logger.LogInformation("Run {Run} is driven by another coordinator: waiting for its lease", runId);
            await Task.Delay(LeasePollInterval, cancellationToken);
        }
    }

    private RunLeaseException LeaseLost(string runId, Exception? cause) =>
        new($"lost the lease on run {runId} ({store.DescribeLease(runId)}): it could not be renewed in time, or another coordinator " +
            "took the run over; this one stopped writing to it. Resume it with --resume once no other coordinator drives it.", cause);

    private async Task<RunOutcome> RunLeasedAsync(OpenedRunSpec opened, RunRequest request, IObjectLease lease, CancellationToken cancellationToken,
        Action<RunTracker>? observe)
    {
        (RunSpec spec, ModelFolder? model) = await specs.KeepAsync(opened, request, cancellationToken);
        // A resumed run's spec may come from a version with other tasks: refuse it before any job is published.
        InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions);
        (RunState state, RunJournal journal) = await store.OpenAsync(spec.RunId, lease, cancellationToken);
        await using (journal)
        {
            if (state.Finished is { Status: not RunStatus.Failed } finished)
                return new RunOutcome.AlreadyFinished(spec.RunId, finished.Status, spec.Job.OutputLocation);
            _logger.LogInformation("Run {Run}: {Inputs} -> {Output} ({Broker})", spec.RunId, string.Join(", ", spec.Inputs),
                spec.Job.OutputLocation, broker.Value);

            var tracker = new RunTracker(spec.RunId, state, journal);
            observe?.Invoke(tracker);
            RunStatus status;
            string? reason = null;
            try
            {
                await eventsQueue.ReturnFaultedAsync(spec.RunId, cancellationToken);
                await using RunEventsEndpoint.Connection connection = await events.ConnectAsync(tracker, cancellationToken);
                try
                {
                    status = await DriveAsync(spec, model, tracker, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !lease.Lost.IsCancellationRequested
                                                          && embeddedWorker is not null)
                {
                    // Its batches under way commit their rows as it stops: their reports must reach the journal before
                    // it closes, or a resume would do those jobs again.
                    _logger.LogInformation("Run {Run} interrupted: letting the batches under way finish", spec.RunId);
                    await embeddedWorker.StopAsync(CancellationToken.None);
                    await connection.TakeEventsSentSoFarAsync(CancellationToken.None);
                    throw;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new RunOutcome.Interrupted(spec.RunId);
            }
            catch (Exception e) when (e is not AppendConflictException && CommandOutcome.IsUserError(e))
            {
                (status, reason) = (RunStatus.Failed, CommandOutcome.UserMessage(e));
                _logger.LogError("Run {Run} failed: {Reason}", spec.RunId, reason);
            }

            // The run completes as an event is applied, before the journal holds it. Once finalization closes the run,
            // workers drop its jobs; a resume after a crash there must find every job finished, and send none.
            await tracker.FlushAsync();
            var finalizer = new RunFinalizer(stores.OpenFolder(StoreLocation.Parse(spec.Job.OutputLocation)), output.Value.Compression,
                loggerFactory.CreateLogger<RunFinalizer>());
            RunManifest manifest = await finalizer.FinalizeAsync(spec, tracker.Read(s => s), status, reason, lease.Lost);
            await tracker.RecordAsync(new RunFinishedEvent(status, reason, DateTimeOffset.UtcNow));
            if (status != RunStatus.Failed)
                await eventsQueue.DeleteAsync(spec.RunId, lease.Lost);
            return new RunOutcome.Finished(manifest, spec.Job.OutputLocation);
        }
    }

    private async Task<RunStatus> DriveAsync(RunSpec spec, ModelFolder? model, RunTracker tracker, CancellationToken cancellationToken)
    {
        (RunPlanner planner, IReadOnlyList<CorpusObject> corpus) = await preparation.PrepareAsync(spec, model, cancellationToken);
        var driver = new RunDriver(tracker, publisher, coordinator.Value, loggerFactory.CreateLogger<RunDriver>());
        var reporter = new ProgressReporter(tracker, () => tracker.Read(s => s.Planning?.Tokens), metrics, loggerFactory.CreateLogger<ProgressReporter>());
        using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task reporting = reporter.RunAsync(terminal, stopReporting.Token);
        try
        {
            await driver.RunAsync(spec, planner, corpus, RunEventsEndpoint.QueueName(spec.RunId), broker.Value.Transport == BrokerTransport.RabbitMq,
                cancellationToken);
        }
        finally
        {
            await stopReporting.CancelAsync();
            await reporting;
        }
        return tracker.Read(s => s.FailedCount) > 0 ? RunStatus.CompletedWithFailures : RunStatus.Completed;
    }
}
