using ModernBert.Fleet.Contracts;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>The numbers a progress display shows.</summary>
public sealed record RunProgress(long Published, long Done, long Failed, long Outstanding, long RowsDone, long TokensDone,
    long Rejected, long? PlannedJobs);

/// <summary>
/// The live state of the run this coordinator drives: applies events as they come (thread-safe), makes each one
/// durable in the journal before reporting it recorded, and lets the publisher and the run wait on progress. A wait
/// ends as the event that allows it is applied, so it has ended by the time <see cref="RecordAsync"/> returns; every
/// wait ends with the journal's <see cref="StorageFailureException"/> once it cannot be written.
/// </summary>
public sealed class RunTracker(string runId, RunState state, RunJournal journal, TimeProvider? timeProvider = null)
{
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string RunId => runId;

    public RunProgress Progress
    {
        get
        {
            lock (_lock)
                return ProgressOf(state);
        }
    }

    /// <summary>See <see cref="RunState.ForgetUnfinishedPublications"/>; nothing is journaled.</summary>
    public void ForgetUnfinishedPublications()
    {
        lock (_lock)
            state.ForgetUnfinishedPublications();
    }

    /// <summary>Reads the state under the tracker's lock.</summary>
    public T Read<T>(Func<RunState, T> read)
    {
        lock (_lock)
            return read(state);
    }

    public Task RecordAsync(RunJournalEvent journalEvent)
    {
        if (journalEvent is JobsCommittedEvent { Commit.RunId: var commitRun } && commitRun != runId)
            throw new ArgumentException($"A commit of run {commitRun} reached run {runId}.");
        Task append;
        lock (_lock)
        {
            state.Apply(journalEvent);
            foreach (Waiter waiter in _waiters.ToArray())
            {
                if (waiter.Condition(state))
                    End(waiter, w => w.Done.TrySetResult());
                else
                    waiter.Stall?.Change(waiter.StallTimeout, Timeout.InfiniteTimeSpan);
            }
            // Queued (not written) under the lock: the journal must hold events in the order they were applied, or a
            // replay could keep another of two commits of one job than this run kept (and settled its files by).
            append = journal.AppendAsync(journalEvent);
        }
        return WhenDurableAsync(append);
    }

    /// <summary>Completes once every event recorded so far is durable in the journal.</summary>
    public Task FlushAsync()
    {
        Task flush;
        lock (_lock)
            flush = journal.FlushAsync();
        return WhenDurableAsync(flush);
    }

    /// <summary>Waits until fewer than <paramref name="limit"/> published jobs are unfinished.</summary>
    public Task WaitForCapacityAsync(long limit, CancellationToken cancellationToken) =>
        WaitUntilAsync(s => s.Outstanding < limit, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits until every planned job is committed or failed. Throws <see cref="TimeoutException"/> when nothing
    /// changes for <paramref name="stallTimeout"/> (no worker, or workers that cannot make progress).
    /// </summary>
    public Task WaitForCompletionAsync(TimeSpan stallTimeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(s => s.IsComplete, stallTimeout, cancellationToken);

    private Task WaitUntilAsync(Func<RunState, bool> condition, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(condition, stallTimeout);
        lock (_lock)
        {
            if (condition(state))
                return Task.CompletedTask;
            if (cancellationToken.IsCancellationRequested)
                return Task.FromCanceled(cancellationToken);
            _waiters.Add(waiter);
            if (stallTimeout != Timeout.InfiniteTimeSpan)
                waiter.Stall = _time.CreateTimer(_ => Stalled(waiter), null, stallTimeout, Timeout.InfiniteTimeSpan);
        }
        waiter.Cancellation = cancellationToken.Register(() =>
        {
            lock (_lock)
                End(waiter, w => w.Done.TrySetCanceled(cancellationToken));
        });
        return waiter.Done.Task;
    }

    // A journal that cannot be written (the store refuses it, or stayed away through the retries) ends the run's waits
    // with that reason: the run fails now, to be resumed once the store takes writes, rather than stalling.
    private async Task WhenDurableAsync(Task append)
    {
        try
        {
            await append;
        }
        catch (StorageFailureException e)
        {
            lock (_lock)
            {
                foreach (Waiter waiter in _waiters.ToArray())
                    End(waiter, w => w.Done.TrySetException(e));
            }
            throw;
        }
    }

    private void Stalled(Waiter waiter)
    {
        lock (_lock)
            End(waiter, w => w.Done.TrySetException(
                new TimeoutException($"Run {runId} made no progress for {w.StallTimeout}: {ProgressOf(state)}.")));
    }

    /// <summary>Removes a waiter and completes it; called under the lock.</summary>
    private void End(Waiter waiter, Action<Waiter> complete)
    {
        if (!_waiters.Remove(waiter))
            return;
        waiter.Stall?.Dispose();
        // Unregister, not Dispose: Dispose would wait for a cancellation callback that waits for this lock.
        waiter.Cancellation.Unregister();
        complete(waiter);
    }

    private static RunProgress ProgressOf(RunState s) =>
        new(s.PublishedCount, s.DoneCount, s.FailedCount, s.Outstanding, s.RowsDone, s.TokensDone, s.RejectedCount, s.Planning?.Jobs);

    private sealed class Waiter(Func<RunState, bool> condition, TimeSpan stallTimeout)
    {
        public Func<RunState, bool> Condition => condition;

        public TimeSpan StallTimeout => stallTimeout;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Restarted by every change; fires when the run has made no progress for the stall timeout.</summary>
        public ITimer? Stall { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
