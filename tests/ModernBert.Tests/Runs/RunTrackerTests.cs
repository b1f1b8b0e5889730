using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using ModernBert.Tests.Outputs;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

public sealed class RunTrackerTests : TemporaryStoreTests, IAsyncDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private readonly RunJournal _journal;
    private readonly RunTracker _tracker;

    public RunTrackerTests()
    {
        _journal = new RunJournal(Store, $"{RunId}/", 0);
        _tracker = new RunTracker(RunId, new RunState(), _journal);
    }

    [Fact]
    public async Task WaitingForCapacityBlocksUntilACommitOrAFailureFreesASlot()
    {
        await RecordAsync(Published(0, 2));
        Task waiting = _tracker.WaitForCapacityAsync(2, Cancellation);
        await AssertStillWaitingAsync(waiting);

        await RecordAsync(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5)));
        await waiting.WaitAsync(Long, Cancellation);

        await RecordAsync(Published(2, 1));
        waiting = _tracker.WaitForCapacityAsync(2, Cancellation);
        await AssertStillWaitingAsync(waiting);
        await RecordAsync(new JobsFailedEvent([1], "payload missing"));
        await waiting.WaitAsync(Long, Cancellation);
    }

    [Fact]
    public async Task WaitingForCapacityStopsWhenCancelled()
    {
        await RecordAsync(Published(0, 1));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        Task waiting = _tracker.WaitForCapacityAsync(1, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task TheRunCompletesWhenEveryPlannedJobIsDoneOrFailed()
    {
        await RecordAsync(Published(0, 3));
        await RecordAsync(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5), new JobRows(1, 1, 1, 5)));
        await RecordAsync(new JobsFailedEvent([2], "failed after retries"));
        // Every published job is finished, but planning is not.
        Task waiting = _tracker.WaitForCompletionAsync(Long, Cancellation);
        await AssertStillWaitingAsync(waiting);

        await RecordAsync(Planned(4));
        await AssertStillWaitingAsync(waiting);
        await RecordAsync(Published(3, 1));
        await RecordAsync(Commit("parts/a.parquet", 20, new JobRows(3, 2, 1, 5)));

        await waiting.WaitAsync(Long, Cancellation);
        await _tracker.WaitForCompletionAsync(TimeSpan.FromMilliseconds(1), Cancellation);
        Assert.Equal(new RunProgress(Published: 4, Done: 3, Failed: 1, Outstanding: 0, RowsDone: 3, TokensDone: 15, Rejected: 0, PlannedJobs: 4),
            _tracker.Progress);
    }

    [Fact]
    public async Task ARunThatMakesNoProgressForTheStallTimeoutFailsNamingTheRun()
    {
        await RecordAsync(Planned(2));
        await RecordAsync(Published(0, 2));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => _tracker.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), Cancellation));

        Assert.StartsWith($"Run {RunId} made no progress for 00:00:00.2000000", error.Message);
        Assert.Contains("Outstanding = 2", error.Message);
    }

    [Fact]
    public async Task ProgressKeepsASlowRunFromStalling()
    {
        await RecordAsync(Planned(8));
        Task waiting = _tracker.WaitForCompletionAsync(TimeSpan.FromSeconds(1.5), Cancellation);

        // The run takes longer than the stall timeout, but no gap between events comes close to it.
        for (int job = 0; job < 8; job++)
        {
            await Task.Delay(300, Cancellation);
            await RecordAsync(Commit("parts/a.parquet", 10 * (job + 1), new JobRows(job, job, 1, 5)));
        }

        await waiting.WaitAsync(Long, Cancellation);
    }

    [Fact]
    public async Task ACommitOfAnotherRunIsRejectedAndNotRecorded()
    {
        var foreign = new JobsCommittedEvent(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5)).Commit with { RunId = "run-other" });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _tracker.RecordAsync(foreign));

        Assert.Equal($"A commit of run run-other reached run {RunId}.", error.Message);
        Assert.Equal(0, _tracker.Read(state => state.DoneCount));
        await _journal.DisposeAsync();
        Assert.Null(await Store.GetLengthAsync(RunJournal.SegmentKey($"{RunId}/", 0), Cancellation));
    }

    [Fact]
    public async Task AnEventIsInTheJournalWhenItsRecordingCompletes()
    {
        await RecordAsync(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5)));

        (RunState replayed, _) = await new RunStore(Store, Store.Describe("")).ReplayAsync(RunId, Cancellation);
        Assert.True(replayed.IsDone(0));
        Assert.True(_tracker.Read(state => state.IsDone(0)));
    }

    public async ValueTask DisposeAsync()
    {
        await _journal.DisposeAsync();
        Dispose();
    }

    private Task RecordAsync(RunJournalEvent journalEvent) => _tracker.RecordAsync(journalEvent).WaitAsync(Long, Cancellation);

    private static async Task AssertStillWaitingAsync(Task waiting)
    {
        await Task.Delay(100, Cancellation);
        Assert.False(waiting.IsCompleted, "The wait ended before the state allowed it.");
    }
}
