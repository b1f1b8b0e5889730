using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Cli;

/// <summary>A benchmark given a setting it cannot use ends with one line naming it and exit code 1, as every command does.</summary>
public sealed class BenchCommandErrorTests
{
    [Theory]
    [InlineData("model")]
    [InlineData("pipeline")]
    [InlineData("fp8")]
    public async Task AnUnknownDeviceIsOneLine(string benchmark)
    {
        using TemporaryFolder tokenizer = TinyTokenizerFolder();

        CommandLineRun run = await CommandLineRun.RunAsync(BenchCommand.Create(),
            ["bench", benchmark, "--size", "tiny", "--device", "tpu", .. benchmark == "pipeline" ? new[] { "--tokenizer", tokenizer.Path } : []]);

        Assert.Equal((1, $"modernbert bench {benchmark}: Unknown device 'tpu': use cpu, cuda or cuda:N."), (run.ExitCode, run.Errors.Trim()));
    }

    [Fact]
    public async Task APipelineTokenizerFolderWithoutATokenizerIsNamed()
    {
        using var empty = new TemporaryFolder();

        CommandLineRun run = await CommandLineRun.RunAsync(BenchCommand.Create(),
            "bench", "pipeline", "--size", "tiny", "--device", "cpu", "--documents", "4", "--tokenizer", empty.Path);

        Assert.Equal((1, $"modernbert bench pipeline: --tokenizer {empty.Path}: the folder has no tokenizer.json."), (run.ExitCode, run.Errors.Trim()));
    }

    private static TemporaryFolder TinyTokenizerFolder() => Tokenization.TinyTokenizer.Write(Tokenization.TinyTokenizer.Json());
}
