using ModernBert.Fleet.Contracts;

namespace ModernBert.Coordinator.Runs;

/// <summary>The numbers a progress display shows.</summary>
public sealed record RunProgress(long Published, long Done, long Failed, long Outstanding, long RowsDone, long TokensDone,
    long Rejected, long? PlannedJobs);

/// <summary>
/// The live state of the run this coordinator drives: applies events as they come (thread-safe), makes each one
/// durable in the journal before reporting it recorded, and lets the publisher and the run wait on progress.
/// </summary>
public sealed class RunTracker(string runId, RunState state, RunJournal journal)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RunId => runId;

    public RunProgress Progress
    {
        get
        {
            lock (_lock)
                return new RunProgress(state.PublishedCount, state.DoneCount, state.FailedCount, state.Outstanding, state.RowsDone,
                    state.TokensDone, state.RejectedCount, state.Planning?.Jobs);
        }
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
        lock (_lock)
        {
            state.Apply(journalEvent);
            TaskCompletionSource changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }
        return journal.AppendAsync(journalEvent);
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

    private async Task WaitUntilAsync(Func<RunState, bool> condition, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition(state))
                    return;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(stallTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Run {runId} made no progress for {stallTimeout}: {Progress}.");
            }
        }
    }
}
