using System.CommandLine;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Cli;

/// <summary>The task options on the command line are checked before anything runs.</summary>
public sealed class TaskOptionsCommandLineTests
{
    [Fact]
    public async Task RunRefusesAnUnknownTaskListingTheKnownOnes()
    {
        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(), "run", "--input", "corpus.jsonl", "--model", "m", "--task", "rerank");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("rerank", run.Errors, StringComparison.Ordinal);
        Assert.Contains("embed", run.Errors, StringComparison.Ordinal);
        Assert.Contains("classify", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunRefusesAnEmbedOptionForAnotherTask_WhichWouldIgnoreIt()
    {
        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(),
            "run", "--input", "corpus.jsonl", "--model", "m", "--task", "classify", "--pooling", "mean");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("modernbert run: --pooling is not an option of the classify task.", run.Errors.Trim());
    }

    [Fact]
    public async Task RunRefusesASparseOptionForTheEmbedTask()
    {
        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(),
            "run", "--input", "corpus.jsonl", "--model", "m", "--task", "embed", "--top-k", "10");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("modernbert run: --top-k is not an option of the embed task.", run.Errors.Trim());
    }

    [Fact]
    public async Task AResumeGivingAnotherTasksOptionWithoutItsTaskIsToldToGiveTheTask()
    {
        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(), "run", "--resume", "r1", "--top-k", "10");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("modernbert run: --top-k is not an option of the embed task, the default: give the run's --task with it.", run.Errors.Trim());
    }

    [Theory]
    [InlineData("run")]
    [InlineData("embed")]
    public async Task APromptAndAPromptNameTogetherAreRefused(string command)
    {
        CommandLineRun run = await CommandLineRun.RunAsync(command == "run" ? RunCommand.Create() : EmbedCommand.Create(),
            command, "--input", "corpus.jsonl", "--output", "out.parquet", "--model", "m", "--prompt-name", "query", "--prompt", "query: ");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--prompt and --prompt-name: give one of them (--prompt is the prompt's text itself).", run.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("embed")]
    public async Task DimsBelowOneAreRefused(string command)
    {
        CommandLineRun run = await CommandLineRun.RunAsync(command == "run" ? RunCommand.Create() : EmbedCommand.Create(),
            command, "--input", "corpus.jsonl", "--output", "out.parquet", "--model", "m", "--dims", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--dims must be at least 1.", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbedReportsTaskOptionsThatDoNotGoTogetherInOneLine()
    {
        using var folder = new TemporaryFolder();
        string ranges = folder.File("ranges.json");
        File.WriteAllText(ranges, "[[0, 0], [1, 1]]");

        CommandLineRun run = await CommandLineRun.RunAsync(EmbedCommand.Create(),
            "embed", "--input", "corpus.jsonl", "--output", "out.parquet", "--model", "m", "--calibration", ranges);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("modernbert embed: Task 'embed': --calibration needs --precision int8 or uint8.", run.Errors.Trim());
    }

    [Theory]
    [InlineData("modernbert classify: Task 'classify': --truncation applies to pairs only: it needs --pairs.", "classify", "--truncation", "only_first")]
    [InlineData("modernbert classify: Task 'classify': --pair-overflow applies to pairs only: it needs --pairs.", "classify", "--pair-overflow", "window")]
    [InlineData("modernbert classify: Task 'classify': --truncation does not apply with --pair-overflow window, which windows the second text " +
        "and keeps the first whole.", "classify", "--pairs", "--pair-overflow", "window", "--truncation", "only_first")]
    [InlineData("modernbert run: Task 'token-classify': --ignore-labels holds an empty label.", "run", "--task", "token-classify", "--ignore-labels", "")]
    public async Task ATaskOptionOutOfPlaceIsNamedByItsFlag(string message, string command, params string[] options)
    {
        CommandLineRun run = await CommandLineRun.RunAsync(command == "run" ? RunCommand.Create() : ClassifyCommand.Create(),
            [command, "--input", "corpus.jsonl", "--model", "m", .. command == "run" ? Array.Empty<string>() : ["--output", "out.parquet"], .. options]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(message, run.Errors.Trim());
    }

    [Theory]
    [InlineData("not json\n", "'not json\\n' is an invalid JSON literal. Expected the literal 'null' (line 1, byte 2)")]
    [InlineData("[[0, 0], [1, \"x\"]]", "the value at $[1][1] is not a number (line 1, byte 17)")]
    [InlineData("{\"ranges\": []}", "the value at $ is not an array (line 1, byte 2)")]
    [InlineData("[[0, 0], [1]]", "")]
    public async Task ACalibrationFileThatIsNotTwoArraysOfNumbersIsReportedWithWhereAndWhy(string content, string problem)
    {
        using var folder = new TemporaryFolder();
        string ranges = folder.File("ranges.json");
        File.WriteAllText(ranges, content);

        CommandLineRun run = await CommandLineRun.RunAsync(EmbedCommand.Create(),
            "embed", "--input", "corpus.jsonl", "--output", "out.parquet", "--model", "m", "--precision", "int8", "--calibration", ranges);

        Assert.Equal(1, run.ExitCode);
        string reason = problem.Length == 0 ? "" : problem + "; ";
        Assert.Equal($"modernbert embed: --calibration {ranges}: {reason}expected [[minimums...], [maximums...]], two arrays of numbers of one length.",
            run.Errors.Trim());
    }

    [Theory]
    [InlineData(new string[0], new[] { "O" })]
    [InlineData(new[] { "--ignore-labels", "O", "MISC" }, new[] { "O", "MISC" })]
    [InlineData(new[] { "--ignore-labels" }, new string[0])]
    public void TokenClassifyLeavesOutOUnlessIgnoreLabelsSaysOtherwise(string[] arguments, string[] ignored)
    {
        var options = new TokenClassifyTaskOptions();
        var command = new RootCommand();
        foreach (Option option in options.All)
            command.Options.Add(option);

        ParseResult result = command.Parse(arguments);

        Assert.Empty(result.Errors);
        Assert.Equal(ignored, options.Read(result).EffectiveIgnoreLabels);
    }
}
