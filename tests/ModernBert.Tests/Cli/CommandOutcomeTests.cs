using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;

namespace ModernBert.Tests.Cli;

/// <summary>The one mapping of how a command ended to its exit code and what the user reads.</summary>
public sealed class CommandOutcomeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(RunStatus.Completed, 0)]
    [InlineData(RunStatus.CompletedWithFailures, 2)]
    [InlineData(RunStatus.Failed, 1)]
    public async Task AFinishedRunPrintsItsSummaryAndExitsByItsStatus(RunStatus status, int exitCode)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        int exit = await CommandOutcome.ReportAsync(new RunOutcome.Finished(Manifest(status), "/out"), output, errors);

        Assert.Equal(exitCode, exit);
        Assert.StartsWith($"Run r1: {RunSummary.Status(status)}", output.ToString());
        Assert.Empty(errors.ToString());
    }

    [Fact]
    public async Task ARunFinishedBeforeSaysSoAndAnInterruptedOneHowToResume()
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        int already = await CommandOutcome.ReportAsync(new RunOutcome.AlreadyFinished("r1", RunStatus.CompletedWithFailures, "/out"), output, errors);
        int interrupted = await CommandOutcome.ReportAsync(new RunOutcome.Interrupted("r2"), output, errors);

        Assert.Equal((2, 130), (already, interrupted));
        Assert.Equal("Run r1 already finished: completed with failed jobs. Output: /out", output.ToString().Trim());
        Assert.Contains("modernbert run --resume r2", errors.ToString());
    }

    [Fact]
    public async Task ProductErrorsAndInvalidSettingsEndTheCommandInOneLine()
    {
        using var errors = new StringWriter();
        var settings = new AggregateException(
            new OptionsValidationException("Worker", typeof(object), ["Worker:BatchJobs is 0; it must be at least 1."]),
            new OptionsValidationException("Broker", typeof(object), ["Broker:Port is 0; it must be between 1 and 65535."]));

        int storage = await CommandOutcome.RunAsync("status", errors,
            () => throw new StorageLocationException("az://c/runs", "no Azure Storage account is configured."), Cancellation);
        int invalid = await CommandOutcome.RunAsync("run", errors, () => throw settings, Cancellation);

        Assert.Equal((1, 1), (storage, invalid));
        Assert.Equal(
        [
            "modernbert status: Storage location 'az://c/runs': no Azure Storage account is configured.",
            "modernbert run: Worker:BatchJobs is 0; it must be at least 1. Broker:Port is 0; it must be between 1 and 65535.",
        ], errors.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task ABugIsNotTakenForTheUsersError() =>
        await Assert.ThrowsAsync<NullReferenceException>(() =>
            CommandOutcome.RunAsync("run", TextWriter.Null, () => throw new NullReferenceException(), Cancellation));

    private static RunManifest Manifest(RunStatus status) => new("r1", status, null, "embed", "m", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
        new ManifestCounts(1, 0, 1, 1, 0, 0, 1), [], [], [], []);
}
