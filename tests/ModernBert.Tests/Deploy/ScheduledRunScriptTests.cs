using ModernBert.Tests.Common;

namespace ModernBert.Tests.Deploy;

/// <summary>files/scheduled-run.sh, run by bash with a stand-in modernbert that prints its arguments.</summary>
public sealed class ScheduledRunScriptTests : IDisposable
{
    private const string CronJob = "fleet-scheduled";

    // 2025-03-01T02:00:00Z in minutes since the epoch: what the CronJob controller appends to the Job's name.
    private static readonly long SlotMinutes = new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 60;

    private readonly TemporaryFolder _folder = new();

    public ScheduledRunScriptTests()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The scheduled-run script runs in Linux containers.");
        string fake = _folder.File("modernbert");
        File.WriteAllText(fake, "#!/bin/bash\nprintf '%s\\n' \"$@\"\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task DateAndSlotComeFromTheJobsScheduledTime()
    {
        (int exitCode, string output, _) = await Run($"{CronJob}-{SlotMinutes}", new() { ["MODERNBERT_DATE_OFFSET_DAYS"] = "-1" },
            "run", "--input", "az://corpus/{date}/*.jsonl", "--output", "az://results/{date}/{slot}", "--task", "classify");

        Assert.Equal(0, exitCode);
        Assert.Equal(
            ["run", "--input", "az://corpus/2025-02-28/*.jsonl", "--output", "az://results/2025-02-28/20250301-0200", "--task", "classify",
             "--run-id", "daily-20250301-0200"],
            output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task EveryRetryOfASlotGetsTheSameRunId()
    {
        (_, string first, _) = await Run($"{CronJob}-{SlotMinutes}", [], "run");
        (_, string retry, _) = await Run($"{CronJob}-{SlotMinutes}", [], "run");

        Assert.Equal(first, retry);
        Assert.EndsWith("--run-id\ndaily-20250301-0200\n", first);
    }

    [Fact]
    public async Task TimeZoneAndFormatApplyToDateAndSlot()
    {
        (_, string output, _) = await Run($"{CronJob}-{SlotMinutes}",
            new() { ["MODERNBERT_TIME_ZONE"] = "America/New_York", ["MODERNBERT_DATE_FORMAT"] = "%Y/%m/%d" }, "run", "--input", "in/{date}");

        Assert.Equal(["run", "--input", "in/2025/02/28", "--run-id", "daily-20250228-2100"], output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task AJobNotNamedAfterItsSlotIsRefused()
    {
        (int exitCode, string output, string errors) = await Run("manual-run", [], "run");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains($"kubectl create job --from=cronjob/{CronJob} {CronJob}-$(( $(date -u +%s) / 60 ))", errors);
    }

    [Fact]
    public async Task AnOffsetThatIsNotWholeDaysIsRefused()
    {
        (int exitCode, _, string errors) = await Run($"{CronJob}-{SlotMinutes}", new() { ["MODERNBERT_DATE_OFFSET_DAYS"] = "1.5" }, "run");

        Assert.Equal(2, exitCode);
        Assert.Contains("MODERNBERT_DATE_OFFSET_DAYS must be a whole number of days, not '1.5'", errors);
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(int ExitCode, string Output, string Errors)> Run(string jobName, Dictionary<string, string> environment, params string[] arguments)
    {
        string script = Path.Combine(HelmChart.ModernBertFleet.Folder, "files", "scheduled-run.sh");
        var variables = new Dictionary<string, string>(environment)
        {
            ["PATH"] = $"{_folder.Path}:{Environment.GetEnvironmentVariable("PATH")}",
            ["MODERNBERT_CRONJOB_NAME"] = CronJob,
            ["MODERNBERT_JOB_NAME"] = jobName,
            ["MODERNBERT_RUN_ID_PREFIX"] = "daily",
        };
        return await ProcessRun.RunAsync("bash", [script, .. arguments], variables, null, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}
