using Microsoft.Extensions.Time.Testing;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using ModernBert.Storage;
using ModernBert.Tests.Outputs;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

public sealed class RunTrackerTests : TemporaryStoreTests, IAsyncDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private readonly RunJournal _journal;
    private readonly FakeTimeProvider _time = new();
    private readonly RunTracker _tracker;

    public RunTrackerTests()
    {
        _journal = new RunJournal(Store, $"{RunId}/", 0);
        _tracker = new RunTracker(RunId, new RunState(), _journal, _time);
    }

    [Fact]
    public async Task WaitingForCapacityBlocksUntilACommitOrAFailureFreesASlot()
    {
        await RecordAsync(Published(0, 2));
        Task waiting = _tracker.WaitForCapacityAsync(2, Cancellation);
        AssertStillWaiting(waiting);

        await RecordAsync(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5)));
        Assert.True(waiting.IsCompletedSuccessfully, "The wait did not end with the event that allowed it.");

        await RecordAsync(Published(2, 1));
        waiting = _tracker.WaitForCapacityAsync(2, Cancellation);
        AssertStillWaiting(waiting);
        await RecordAsync(new JobsFailedEvent([1], "payload missing"));
        Assert.True(waiting.IsCompletedSuccessfully, "The wait did not end with the event that allowed it.");
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
        AssertStillWaiting(waiting);

        await RecordAsync(Planned(4));
        AssertStillWaiting(waiting);
        await RecordAsync(Published(3, 1));
        await RecordAsync(Commit("parts/a.parquet", 20, new JobRows(3, 2, 1, 5)));

        Assert.True(waiting.IsCompletedSuccessfully, "The wait did not end with the event that allowed it.");
        Assert.True(_tracker.WaitForCompletionAsync(TimeSpan.FromMilliseconds(1), Cancellation).IsCompletedSuccessfully);
        Assert.Equal(new RunProgress(Published: 4, Done: 3, Failed: 1, Outstanding: 0, RowsDone: 3, TokensDone: 15, Rejected: 0, PlannedJobs: 4),
            _tracker.Progress);
    }

    [Fact]
    public async Task ARunThatMakesNoProgressForTheStallTimeoutFailsNamingTheRun()
    {
        await RecordAsync(Planned(2));
        await RecordAsync(Published(0, 2));
        Task waiting = _tracker.WaitForCompletionAsync(TimeSpan.FromMinutes(5), Cancellation);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        AssertStillWaiting(waiting);
        _time.Advance(TimeSpan.FromTicks(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => waiting);
        Assert.StartsWith($"Run {RunId} made no progress for 00:05:00", error.Message);
        Assert.Contains("Outstanding = 2", error.Message);
    }

    [Fact]
    public async Task ProgressKeepsASlowRunFromStalling()
    {
        await RecordAsync(Planned(8));
        Task waiting = _tracker.WaitForCompletionAsync(TimeSpan.FromMinutes(5), Cancellation);

        // The run takes far longer than the stall timeout, but no gap between events reaches it.
        for (int job = 0; job < 8; job++)
        {
            _time.Advance(TimeSpan.FromMinutes(4));
            AssertStillWaiting(waiting);
            await RecordAsync(Commit("parts/a.parquet", 10 * (job + 1), new JobRows(job, job, 1, 5)));
        }

        Assert.True(waiting.IsCompletedSuccessfully, "The run did not complete with its last commit.");
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

    [Fact]
    public async Task TheJournalKeepsTheCommitThisRunKeptWhenTwoCommitsOfAJobArriveTogether()
    {
        // Two workers report the same jobs at once (a redelivered batch): the replay must accept the commit the run
        // accepted, in whichever order the reports met.
        const int jobs = 3000;
        using var start = new Barrier(2);
        Task Report(string file) => Task.Run(async () =>
        {
            start.SignalAndWait(Cancellation);
            var recorded = new List<Task>(jobs);
            for (int job = 0; job < jobs; job++)
                recorded.Add(_tracker.RecordAsync(Commit(file, 10 * (job + 1), new JobRows(job, job, 1, 5))));
            await Task.WhenAll(recorded);
        });

        await Task.WhenAll(Report("parts/a.parquet"), Report("parts/b.parquet")).WaitAsync(Long, Cancellation);

        (RunState replayed, _) = await new RunStore(Store, Store.Describe("")).ReplayAsync(RunId, Cancellation);
        Assert.Equal(_tracker.Read(AcceptedFiles), AcceptedFiles(replayed));
    }

    private static SortedDictionary<long, string> AcceptedFiles(RunState state) =>
        new(state.Files.SelectMany(file => file.Accepted.Select(job => (job.JobId, file.Key))).ToDictionary());

    [Fact]
    public async Task AJournalTheStoreRefusesForGoodEndsTheRunsWaitsWithTheReason()
    {
        var refusing = new HookedObjectStore(Store)
        {
            BeforeChange = (_, _, key) => throw new StorageFailureException($"Cannot append to {key}: No space left on device"),
        };
        await using var journal = new RunJournal(refusing, $"{RunId}/", 0);
        var tracker = new RunTracker(RunId, new RunState(), journal, _time);
        Task completion = tracker.WaitForCompletionAsync(Long, Cancellation);

        var recorded = await Assert.ThrowsAsync<StorageFailureException>(() => tracker.RecordAsync(Published(0, 1)));

        var ended = await Assert.ThrowsAsync<StorageFailureException>(() => completion);
        Assert.Same(recorded, ended);
    }

    public async ValueTask DisposeAsync()
    {
        await _journal.DisposeAsync();
        Dispose();
    }

    private Task RecordAsync(RunJournalEvent journalEvent) => _tracker.RecordAsync(journalEvent).WaitAsync(Long, Cancellation);

    /// <summary>
    /// A wait ends while the event that allows it is applied (or the stall timer fires, which the fake clock does within
    /// Advance), so a wait that is not complete now is still waiting.
    /// </summary>
    private static void AssertStillWaiting(Task waiting) =>
        Assert.False(waiting.IsCompleted, "The wait ended before the state allowed it.");
}
