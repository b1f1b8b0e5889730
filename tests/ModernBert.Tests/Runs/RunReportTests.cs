using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

/// <summary>What a person sees of a run: the progress line, <c>modernbert status</c> and the end-of-run summary.</summary>
public sealed class RunReportTests
{
    [Fact]
    public void WhilePlanningTheProgressLineCountsAgainstThePublishedJobs()
    {
        var progress = new RunProgress(Published: 12, Done: 3, Failed: 1, Outstanding: 8, RowsDone: 40, TokensDone: 12_345, Rejected: 2, PlannedJobs: null);

        Assert.Equal("[planning] jobs 4/12+ | rows 40 | tokens 12,345 | 0 tok/s | ETA -- | failed jobs 1 | rejected inputs 2",
            ProgressReporter.Describe(progress, tokensPerSecond: 0, plannedTokens: null));
    }

    [Fact]
    public void ARunningRunShowsItsShareOfPlannedJobsAndAnEtaFromTheRate()
    {
        var progress = new RunProgress(Published: 30, Done: 9, Failed: 1, Outstanding: 20, RowsDone: 150, TokensDone: 20_000, Rejected: 0, PlannedJobs: 40);

        Assert.Equal("[#####---------------] 25 % jobs 10/40 | rows 150 | tokens 20,000 | 1,000 tok/s | ETA 00:01:20 | failed jobs 1 | rejected inputs 0",
            ProgressReporter.Describe(progress, tokensPerSecond: 1000, plannedTokens: 100_000));
    }

    [Fact]
    public void AFinishedRunShowsAFullBar()
    {
        var progress = new RunProgress(Published: 40, Done: 38, Failed: 2, Outstanding: 0, RowsDone: 600, TokensDone: 100_000, Rejected: 5, PlannedJobs: 40);

        Assert.Equal("[####################] 100 % jobs 40/40 | rows 600 | tokens 100,000 | 2,500 tok/s | ETA 00:00:00 | failed jobs 2 | rejected inputs 5",
            ProgressReporter.Describe(progress, tokensPerSecond: 2500, plannedTokens: 100_000));
    }

    [Fact]
    public void ARunWithNothingToDoIsNotShownAsPlanning()
    {
        var progress = new RunProgress(Published: 0, Done: 0, Failed: 0, Outstanding: 0, RowsDone: 0, TokensDone: 0, Rejected: 3, PlannedJobs: 0);

        Assert.StartsWith("[####################] 100 % jobs 0/0 |", ProgressReporter.Describe(progress, tokensPerSecond: 0, plannedTokens: 0));
    }

    [Fact]
    public void TheStatusOfARunStillPlanning()
    {
        RunState state = State(Published(0, 3), Commit("parts/a.parquet", 10, new JobRows(0, 0, 4, 900)));

        RunStatusReport report = RunStatusReport.Create(Spec("/data/output"), state, driven: true);

        Assert.Equal(
            """
            Run run-test: running
              embed with answerdotai/ModernBERT-base
              input  /data/corpus/*.jsonl
              output /data/output
              created 2025-03-04 05:06:07Z
              jobs: planning not finished, 3 published, 1 done, 0 failed
              rows 4, tokens 900
              rejected inputs 0, failed documents 0
            """.ReplaceLineEndings("\n"), report.Describe().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void AnUnfinishedRunThatNoCoordinatorDrivesIsInterrupted()
    {
        RunState state = State(Planned(3), Published(0, 3));

        RunStatusReport report = RunStatusReport.Create(Spec("/data/output"), state, driven: false);

        Assert.Equal("interrupted", report.Status);
        Assert.StartsWith("Run run-test: interrupted (no coordinator drives it; continue it with: modernbert run --resume run-test)\n",
            report.Describe().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TheStatusOfARunThatEndedWithFailuresListsTheFirstFailedJobs()
    {
        var finishedAt = new DateTimeOffset(2025, 3, 4, 8, 0, 0, TimeSpan.Zero);
        RunState state = State(Planned(14), Published(0, 14),
            Commit("parts/a.parquet", 10, [new JobRows(0, 0, 3, 400), new JobRows(1, 3, 2, 300)], [new FailedDocument(1, "d7", 0, "too long")]),
            new JobsFailedEvent([13, 12, 11, 10, 9, 8], "failed after retries: IOException: disk full"),
            new JobsFailedEvent([2, 3, 4, 5, 6, 7], "payload missing"),
            new InputRejectedEvent("corpus.jsonl:3", "invalid JSON"),
            new RunFinishedEvent(RunStatus.CompletedWithFailures, null, finishedAt));

        RunStatusReport report = RunStatusReport.Create(Spec("/data/output"), state, driven: false);

        Assert.Equal(["2: payload missing", "3: payload missing", "4: payload missing", "5: payload missing", "6: payload missing",
            "7: payload missing", "8: failed after retries: IOException: disk full", "9: failed after retries: IOException: disk full",
            "10: failed after retries: IOException: disk full", "11: failed after retries: IOException: disk full"],
            report.FirstFailedJobs.Select(job => $"{job.Job}: {job.Reason}"));
        string[] lines = report.Describe().ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(
            [
                "Run run-test: completed with failed jobs",
                "  embed with answerdotai/ModernBERT-base",
                "  input  /data/corpus/*.jsonl",
                "  output /data/output",
                "  created 2025-03-04 05:06:07Z, finished 2025-03-04 08:00:00Z",
                "  jobs: 14 planned, 14 published, 2 done, 12 failed",
                "  rows 5, tokens 700 of 1,400 (50.0 %)",
                "  rejected inputs 1, failed documents 1",
                .. report.FirstFailedJobs.Select(job => $"  failed job {job.Job}: {job.Reason}"),
            ],
            lines);
    }

    [Fact]
    public void TheStatusOfAFailedRunGivesItsReason()
    {
        RunState state = State(Planned(2), new RunFinishedEvent(RunStatus.Failed, "Run run-test made no progress for 01:00:00", DateTimeOffset.UnixEpoch));

        RunStatusReport report = RunStatusReport.Create(Spec("/data/output"), state, driven: false);

        Assert.Equal(("failed", "Run run-test made no progress for 01:00:00"), (report.Status, report.Reason));
        Assert.StartsWith("Run run-test: failed (Run run-test made no progress for 01:00:00)", report.Describe());
    }

    [Fact]
    public void TheSummaryOfAFailedRunSaysHowToContinueIt()
    {
        var manifest = new RunManifest(RunId, RunStatus.Failed, "stalled", "embed", "m", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            new ManifestCounts(4, 0, 10, 100, 0, 0, 0.5), [], [], [], []);

        Assert.EndsWith("no result files until the run completes; continue it with: modernbert run --resume run-test",
            RunSummary.Describe(manifest, "/data/output"));
        Assert.EndsWith("0 result files in /data/output, listed in _manifest.json",
            RunSummary.Describe(manifest with { Status = RunStatus.Completed, Reason = null }, "/data/output"));
    }
}
