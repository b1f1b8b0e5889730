using System.Text;
using System.Text.Json;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using ModernBert.Storage;
using ModernBert.Tests.Outputs;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

public sealed class RunJournalTests : TemporaryStoreTests
{
    private static readonly string Segment0 = RunJournal.SegmentKey($"{RunId}/", 0);
    private static readonly string Segment1 = RunJournal.SegmentKey($"{RunId}/", 1);

    private IObjectLease? _lease;

    private RunStore Runs => new(Store, Store.Describe(""));

    [Fact]
    public async Task EveryEventTypeRoundTripsThroughTheJournal()
    {
        JobsCommittedEvent commit = Commit("parts/part-w-00000.parquet", 1234, [new JobRows(0, 0, 2, 300), new JobRows(2, 2, 1, 50)],
            [new FailedDocument(2, "doc \"7\" é", 1, "token id 60000 is outside the vocabulary (0..50367)")]);
        var finished = new RunFinishedEvent(RunStatus.CompletedWithFailures, "2 jobs failed", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));
        RunJournalEvent[] events =
        [
            Published(0, 3), commit, new JobsFailedEvent([1, 5], "failed after retries: System.IO.IOException: disk full"),
            new InputRejectedEvent("corpus.jsonl:4", "invalid JSON"), Planned(3), finished,
        ];

        (_, RunJournal journal) = await OpenAsync();
        await using (journal)
            await Task.WhenAll(events.Select(journal.AppendAsync));

        string[] lines = ReadLines(Segment0);
        Assert.Equal(events.Select(e => Encoding.UTF8.GetString(RunJournal.Serialize(e)).TrimEnd('\n')), lines);
        Assert.Equal(["published", "committed", "failed", "rejected", "planned", "finished"],
            lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("type").GetString()));
        RunJournalEvent[] read = [.. lines.Select(line => JsonSerializer.Deserialize<RunJournalEvent>(line, RunJournalJson.Options)!)];
        Assert.Equal(events.Select(e => e.GetType()), read.Select(e => e.GetType()));
        Assert.Equal(lines, read.Select(e => Encoding.UTF8.GetString(RunJournal.Serialize(e)).TrimEnd('\n')));

        JobsCommitted readCommit = Assert.IsType<JobsCommittedEvent>(read[1]).Commit;
        Assert.Equal((RunId, "worker-1", "parts/part-w-00000.parquet", 1234L), (readCommit.RunId, readCommit.WorkerId, readCommit.FileKey, readCommit.CommittedLength));
        Assert.Equal(commit.Commit.Jobs, readCommit.Jobs);
        Assert.Equal(commit.Commit.FailedDocuments, readCommit.FailedDocuments);
        Assert.Equal([1L, 5L], Assert.IsType<JobsFailedEvent>(read[2]).JobIds);
        Assert.Equal(events[3], read[3]);
        Assert.Equal(events[4], read[4]);
        RunFinishedEvent readFinished = Assert.IsType<RunFinishedEvent>(read[5]);
        Assert.Equal((finished.Status, finished.Reason, finished.At, finished.At.Offset), (readFinished.Status, readFinished.Reason, readFinished.At, readFinished.At.Offset));
        Assert.Contains("\"committed_length\":1234", lines[1]);

        (RunState state, _) = await Runs.ReplayAsync(RunId, Cancellation);
        Assert.Equal((3L, 2L, 2L, 1L), (state.PublishedCount, state.DoneCount, state.FailedCount, state.RejectedCount));
        Assert.Equal((3L, 350L), (state.RowsDone, state.TokensDone));
        Assert.Equal(commit.Commit.FailedDocuments, state.FailedDocuments);
        Assert.Equal(events[4], state.Planning);
        Assert.Equal(RunStatus.CompletedWithFailures, state.Finished?.Status);
    }

    [Theory]
    [InlineData(RunStatus.Running, "running")]
    [InlineData(RunStatus.Completed, "completed")]
    [InlineData(RunStatus.CompletedWithFailures, "completed_with_failures")]
    [InlineData(RunStatus.Failed, "failed")]
    public void RunStatusesAreWrittenByName(RunStatus status, string name)
    {
        string json = Encoding.UTF8.GetString(RunJournal.Serialize(new RunFinishedEvent(status, null, DateTimeOffset.UnixEpoch)));

        Assert.Contains($"\"status\":\"{name}\"", json);
        Assert.Equal(status, Assert.IsType<RunFinishedEvent>(JsonSerializer.Deserialize<RunJournalEvent>(json, RunJournalJson.Options)).Status);
    }

    [Fact]
    public async Task AFlushEndsOnceTheEventsBeforeItAreDurable_AndWritesNothingOfItsOwn()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new HookedObjectStore(Store)
        {
            BeforeChange = async (_, _, _) =>
            {
                started.TrySetResult();
                await release.Task;
            },
        };

        await using (var journal = new RunJournal(store, $"{RunId}/", 0))
        {
            Task append = journal.AppendAsync(Published(0, 1));
            await started.Task.WaitAsync(Cancellation);
            Task flush = journal.FlushAsync();
            // The journal's one writer is held in the append's hook.
            Assert.False(flush.IsCompleted);

            release.SetResult();
            await flush;
            Assert.True(append.IsCompletedSuccessfully);
            await journal.FlushAsync();
        }

        Assert.Equal([Encoding.UTF8.GetString(RunJournal.Serialize(Published(0, 1))).TrimEnd('\n')], ReadLines(Segment0));
    }

    [Fact]
    public async Task AppendsThatArriveDuringAnAppendAreGroupedIntoTheNextAndCompleteWhenDurable()
    {
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int appends = 0;
        var store = new HookedObjectStore(Store)
        {
            BeforeChange = async (_, _, _) =>
            {
                if (Interlocked.Increment(ref appends) > 1)
                    return;
                firstStarted.SetResult();
                await release.Task;
            },
        };

        await using (var journal = new RunJournal(store, $"{RunId}/", 0))
        {
            Task first = journal.AppendAsync(Published(0, 1));
            await firstStarted.Task.WaitAsync(Cancellation);
            Task[] waiting = [.. Enumerable.Range(1, 300).Select(job => journal.AppendAsync(Published(job, 1)))];
            // The journal's one writer is held in the first append's hook, so nothing can have been made durable yet.
            Assert.False(first.IsCompleted);
            Assert.All(waiting, task => Assert.False(task.IsCompleted));

            release.SetResult();
            await Task.WhenAll([first, .. waiting]);
        }

        Assert.Equal(2, appends);
        Assert.Equal(Enumerable.Range(0, 301).Select(job => Encoding.UTF8.GetString(RunJournal.Serialize(Published(job, 1))).TrimEnd('\n')),
            ReadLines(Segment0));
    }

    [Fact]
    public async Task ASegmentTakesAtMostTheAppendLimit()
    {
        await using (var journal = new RunJournal(Store, $"{RunId}/", 0, maxAppendsPerSegment: 2))
        {
            for (int job = 0; job < 5; job++)
                await journal.AppendAsync(Published(job, 1));
        }

        Assert.Equal([2, 2, 1], Enumerable.Range(0, 3).Select(segment => ReadLines(RunJournal.SegmentKey($"{RunId}/", segment)).Length));
        (RunState state, int segments) = await Runs.ReplayAsync(RunId, Cancellation);
        Assert.Equal((5L, 3), (state.PublishedCount, segments));
    }

    [Fact]
    public async Task ASegmentRollsBeforeItWouldPassTheByteLimitAndAnOversizedAppendTakesAFreshSegment()
    {
        int lineBytes = RunJournal.Serialize(Published(0, 1)).Length;
        var oversized = new InputRejectedEvent("corpus.jsonl:1", new string('x', 3 * lineBytes));

        await using (var journal = new RunJournal(Store, $"{RunId}/", 0, maxSegmentBytes: 2 * lineBytes + 1))
        {
            await journal.AppendAsync(Published(0, 1));
            await journal.AppendAsync(Published(1, 1));
            await journal.AppendAsync(Published(2, 1));
            await journal.AppendAsync(oversized);
            await journal.AppendAsync(Published(3, 1));
        }

        string[][] segments = [.. Enumerable.Range(0, 4).Select(segment => ReadLines(RunJournal.SegmentKey($"{RunId}/", segment)))];
        Assert.Equal([2, 1, 1, 1], segments.Select(lines => lines.Length));
        Assert.Contains("\"type\":\"rejected\"", segments[2][0]);
        (RunState state, _) = await Runs.ReplayAsync(RunId, Cancellation);
        Assert.Equal((4L, 1L), (state.PublishedCount, state.RejectedCount));
    }

    [Fact]
    public async Task ReplayIgnoresATornLastLineAndAResumedJournalWritesANewSegment()
    {
        (_, RunJournal journal) = await OpenAsync();
        await using (journal)
        {
            await journal.AppendAsync(Published(0, 2));
            await journal.AppendAsync(Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 5)));
        }
        byte[] torn = RunJournal.Serialize(Commit("parts/a.parquet", 20, new JobRows(1, 1, 1, 5)))[..^8];
        await Store.AppendAsync(Segment0, (await Store.GetLengthAsync(Segment0, Cancellation))!.Value, torn, Cancellation);
        long tornLength = (await Store.GetLengthAsync(Segment0, Cancellation))!.Value;

        (RunState resumed, RunJournal next) = await OpenAsync();
        Assert.Equal((2L, 1L), (resumed.PublishedCount, resumed.DoneCount));
        await using (next)
            await next.AppendAsync(Commit("parts/b.parquet", 30, new JobRows(1, 0, 1, 5)));

        Assert.Equal(tornLength, await Store.GetLengthAsync(Segment0, Cancellation));
        Assert.Single(ReadLines(Segment1));
        (RunState state, int segments) = await Runs.ReplayAsync(RunId, Cancellation);
        Assert.Equal((2L, 2), (state.DoneCount, segments));
        Assert.Equal(["parts/a.parquet", "parts/b.parquet"], state.Files.Select(file => file.Key).Order());
    }

    /// <summary>
    /// The tracker applies an event before the journal holds it: a journal that went on after a failed append would
    /// replay into another state than the run went on with. Every later append and flush fails with the first failure.
    /// </summary>
    [Fact]
    public async Task AFailedAppendClosesTheJournal_AndTheResumeGoesOnInANewSegment()
    {
        // The second append writes half its line and fails, as when the store goes away mid-append.
        await using (var journal = new RunJournal(new TearingObjectStore(Store, tornAppend: 2), $"{RunId}/", 0))
        {
            await journal.AppendAsync(Published(0, 1));
            var failed = await Assert.ThrowsAsync<StorageFailureException>(() => journal.AppendAsync(new JobsFailedEvent([1], "failed after retries")));
            Assert.IsType<IOException>(failed.InnerException);
            Assert.StartsWith($"Cannot write the journal of run {RunId}: ", failed.Message);
            Assert.Same(failed, await Assert.ThrowsAsync<StorageFailureException>(() => journal.AppendAsync(Published(2, 1))));
            Assert.Same(failed, await Assert.ThrowsAsync<StorageFailureException>(journal.FlushAsync));
        }

        (RunState state, RunJournal resumed) = await OpenAsync();
        Assert.Equal([true, false, false], Enumerable.Range(0, 3).Select(job => state.IsPublished(job)));
        Assert.Equal(0, state.FailedCount);
        await using (resumed)
            await resumed.AppendAsync(Published(3, 1));
        Assert.Equal(2, (await Runs.ReplayAsync(RunId, Cancellation)).State.PublishedCount);
    }

    [Fact]
    public async Task AnAppendThatFindsAnotherWritersLinesFailsAndSoDoesEveryLaterOne()
    {
        await using var first = new RunJournal(Store, $"{RunId}/", 0);
        await using var second = new RunJournal(Store, $"{RunId}/", 0);
        await first.AppendAsync(Published(0, 1));

        await Assert.ThrowsAsync<AppendConflictException>(() => second.AppendAsync(Published(1, 1)));
        await Assert.ThrowsAsync<AppendConflictException>(() => second.AppendAsync(Published(2, 1)));
        await first.AppendAsync(Published(3, 1));

        Assert.Null(await Store.GetLengthAsync(Segment1, Cancellation));
        (RunState state, _) = await Runs.ReplayAsync(RunId, Cancellation);
        Assert.Equal([true, false, false, true], Enumerable.Range(0, 4).Select(job => state.IsPublished(job)));
    }

    [Fact]
    public async Task NoAppendStartsOnceTheLeaseIsLost()
    {
        using var lost = new CancellationTokenSource();
        await using var journal = new RunJournal(Store, $"{RunId}/", 0, leaseLost: lost.Token);
        await journal.AppendAsync(Published(0, 1));
        long length = (await Store.GetLengthAsync(Segment0, Cancellation))!.Value;

        await lost.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => journal.AppendAsync(Published(1, 1)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => journal.AppendAsync(Published(2, 1)));
        Assert.Equal(length, await Store.GetLengthAsync(Segment0, Cancellation));
        Assert.Null(await Store.GetLengthAsync(Segment1, Cancellation));
    }

    [Theory]
    [InlineData("{\"type\":\"published\",\"first\":")]
    [InlineData("{\"type\":\"archived\",\"first\":1}")]
    [InlineData("null")]
    public async Task ACorruptLineIsReportedWithItsSegmentAndLineNumber(string corrupt)
    {
        byte[] content = [.. RunJournal.Serialize(Published(0, 1)), .. Encoding.UTF8.GetBytes(corrupt + "\n"), .. RunJournal.Serialize(Published(1, 1))];
        await Store.WriteAsync(Segment0, content, Cancellation);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Runs.ReplayAsync(RunId, Cancellation));

        Assert.Contains($"{Store.Describe(Segment0)}, line 2", error.Message);
    }

    [Fact]
    public async Task AnAppendAfterTheJournalIsClosedFails()
    {
        var journal = new RunJournal(Store, $"{RunId}/", 0);
        await journal.DisposeAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => journal.AppendAsync(Published(0, 1)));
    }

    // The journal under the run's lease, taken once per test.
    private async Task<(RunState State, RunJournal Journal)> OpenAsync() =>
        await Runs.OpenAsync(RunId, _lease ??= (await Runs.TryLeaseAsync(RunId, Cancellation))!, Cancellation);

    private string[] ReadLines(string key) =>
        File.ReadAllText(Store.Describe(key)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
