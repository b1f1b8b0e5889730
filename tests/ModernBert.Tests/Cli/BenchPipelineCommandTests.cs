using System.Text.Json;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Cli;

/// <summary>
/// bench pipeline builds a checkpoint of each task's layout and runs it end to end (a few documents on the CPU), with
/// ModernBERT's tokenizer (the fixture's), whose [unused1] is the multi-vector document prefix.
/// </summary>
public sealed class BenchPipelineCommandTests
{
    [Theory]
    [InlineData("embed")]
    [InlineData("sparse")]
    [InlineData("multivector")]
    public async Task EveryTaskItMeasuresRuns(string task)
    {
        string tokenizer = Fixtures.Require("tokenizer");

        CommandLineRun run = await CommandLineRun.RunAsync(BenchCommand.Create(),
            "bench", "pipeline", "--size", "tiny", "--device", "cpu", "--dataset", "short_var", "--documents", "6", "--task", task, "--tokenizer", tokenizer);

        run.AssertSucceeded();
        string[] stages = [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("stage").GetString()!)];
        Assert.Equal(["forward", $"task:{task}", "pipeline"], stages);
    }
}
