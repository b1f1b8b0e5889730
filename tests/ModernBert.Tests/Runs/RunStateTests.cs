using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

public sealed class RunStateTests
{
    [Fact]
    public void PublishedRangesAreOutstandingUntilCommittedOrFailed()
    {
        RunState state = State(Published(0, 4), Published(4, 2), Published(2, 2));

        Assert.Equal(6, state.PublishedCount);
        Assert.Equal(6, state.Outstanding);
        Assert.True(state.IsPublished(5));
        Assert.False(state.IsPublished(6));

        state.Apply(Commit("parts/a.parquet", 100, new JobRows(1, 0, 2, 20)));
        state.Apply(new JobsFailedEvent([3], "payload missing"));
        // A failure of a job this coordinator never published (a resume's leftover) frees no slot.
        state.Apply(new JobsFailedEvent([40], "payload missing"));

        Assert.Equal(4, state.Outstanding);
        Assert.Equal((1L, 2L), (state.DoneCount, state.FailedCount));
    }

    [Fact]
    public void AJobWhoseFailureIsRecordedBeforeItsPublicationIsNotOutstanding()
    {
        RunState state = State(new JobsFailedEvent([3], "payload missing"), Published(0, 4), new JobsFailedEvent([3], "again"));

        Assert.Equal(3, state.Outstanding);
        state.Apply(Commit("parts/a.parquet", 100, new JobRows(3, 0, 1, 5)));
        Assert.Equal((3L, 1L, 0L), (state.Outstanding, state.DoneCount, state.FailedCount));
    }

    [Fact]
    public void TheFirstCommitOfAJobIsAcceptedAndADuplicateIsLeftOut()
    {
        RunState state = State(
            Commit("parts/a.parquet", 500, [new JobRows(0, 0, 2, 30), new JobRows(1, 2, 3, 40)], [new FailedDocument(1, "d9", 0, "too long")]),
            Commit("parts/b.parquet", 800, [new JobRows(1, 0, 3, 40), new JobRows(2, 3, 1, 10)], [new FailedDocument(1, "d9", 0, "too long")]));

        Assert.Equal(3, state.DoneCount);
        Assert.Equal((6L, 80L), (state.RowsDone, state.TokensDone));
        Assert.Equal([new FailedDocument(1, "d9", 0, "too long")], state.FailedDocuments);
        PartFileState a = state.Files.Single(file => file.Key == "parts/a.parquet");
        PartFileState b = state.Files.Single(file => file.Key == "parts/b.parquet");
        Assert.Equal([new AcceptedJob(0, 0, 2), new AcceptedJob(1, 2, 3)], a.Accepted);
        // The duplicate's rows stay in b's committed prefix, so b's length is known, but only job 2's rows are kept.
        Assert.Equal([new AcceptedJob(2, 3, 1)], b.Accepted);
        Assert.Equal((500L, 800L), (a.CommittedLength, b.CommittedLength));
    }

    [Fact]
    public void AFileKeepsTheLongestCommittedLengthReportedEvenWhenReportsArriveOutOfOrder()
    {
        RunState state = State(
            Commit("parts/a.parquet", 900, new JobRows(1, 2, 2, 10)),
            Commit("parts/a.parquet", 400, new JobRows(0, 0, 2, 10)));

        PartFileState file = Assert.Single(state.Files);
        Assert.Equal(900, file.CommittedLength);
        Assert.Equal([1L, 0L], file.Accepted.Select(job => job.JobId));
    }

    [Fact]
    public void AJobThatFailedAndThenCommittedCountsAsDone()
    {
        RunState state = State(Published(0, 1), new JobsFailedEvent([0], "worker lost"), Commit("parts/a.parquet", 100, new JobRows(0, 0, 1, 5)));

        Assert.Equal((1L, 0L, 0L), (state.DoneCount, state.FailedCount, state.Outstanding));
        Assert.Empty(state.FailedJobs);
        Assert.True(state.IsDone(0));
    }

    [Fact]
    public void AFailureAfterTheJobIsDoneIsIgnored()
    {
        RunState state = State(Published(0, 2), Commit("parts/a.parquet", 100, new JobRows(0, 0, 1, 5)),
            new JobsFailedEvent([0, 1], "failed after retries"), new JobsFailedEvent([1], "another reason"));

        Assert.Equal((1L, 1L, 0L), (state.DoneCount, state.FailedCount, state.Outstanding));
        Assert.Equal(new Dictionary<long, string> { [1] = "failed after retries" }, state.FailedJobs);
    }

    [Fact]
    public void AJobWhoseEveryDocumentFailedIsDoneWithoutAFile()
    {
        RunState state = State(Commit(null, 0, [new JobRows(7, 0, 0, 12)], [new FailedDocument(7, "d1", 0, "bad ids"), new FailedDocument(7, "d1", 1, "bad ids")]));

        Assert.True(state.IsDone(7));
        Assert.Empty(state.Files);
        Assert.Equal((0L, 12L), (state.RowsDone, state.TokensDone));
        Assert.Equal(2, state.FailedDocuments.Count);
    }

    [Fact]
    public void TheRunIsCompleteOnceEveryPlannedJobIsDoneOrFailed()
    {
        RunState state = State(Published(0, 3), Commit("parts/a.parquet", 10, new JobRows(0, 0, 1, 1), new JobRows(1, 1, 1, 1)),
            new JobsFailedEvent([2], "payload missing"));
        Assert.False(state.IsComplete);

        state.Apply(Planned(4));
        Assert.False(state.IsComplete);

        state.Apply(Commit("parts/a.parquet", 20, new JobRows(3, 2, 1, 1)));
        Assert.True(state.IsComplete);
    }

    [Fact]
    public void RejectionsAreListedUpToTheCapAndCountedBeyondIt()
    {
        var state = new RunState();
        for (int i = 0; i < RunState.MaxListedRejections + 5; i++)
            state.Apply(new InputRejectedEvent($"corpus.jsonl:{i + 1}", "invalid JSON"));

        Assert.Equal(RunState.MaxListedRejections + 5, state.RejectedCount);
        Assert.Equal(RunState.MaxListedRejections, state.Rejected.Count);
        Assert.Equal("corpus.jsonl:1", state.Rejected[0].Origin);
        Assert.Equal($"corpus.jsonl:{RunState.MaxListedRejections}", state.Rejected[^1].Origin);
    }

    [Fact]
    public void PlanningAndTheRunsEndAreKept()
    {
        var finished = new RunFinishedEvent(RunStatus.CompletedWithFailures, "1 job failed", DateTimeOffset.UnixEpoch);

        RunState state = State(Planned(12), finished);

        Assert.Equal(Planned(12), state.Planning);
        Assert.Equal(finished, state.Finished);
    }
}
