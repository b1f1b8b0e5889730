using System.CommandLine;
using ModernBert.Coordinator.Cli;

namespace ModernBert.Tests.Cli;

public sealed class ModernBertCommandLineTests
{
    [Theory]
    [InlineData("--dims must be at least 1.", "modernbert embed", "embed", "--input", "c.jsonl", "--model", "m", "--output", "o.parquet", "--dims", "0")]
    [InlineData("Unrecognized command or argument '--bogus'.", "modernbert bench model", "bench", "model", "--bogus")]
    [InlineData("Required command was not provided.", "modernbert")]
    public async Task ACommandLineThatDoesNotParseGetsItsErrorsAndWhereItsUsageIs_NotTheWholeHelp(string error, string command, params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        int exitCode = await ModernBertCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = errors },
            TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        string[] lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal([error, $"Run '{command} --help' for its usage."], lines);
        Assert.DoesNotContain("Description:", output.ToString());
    }

    [Fact]
    public async Task HelpIsStillShownWhenAskedFor()
    {
        var output = new StringWriter();

        int exitCode = await ModernBertCommandLine.InvokeAsync(["embed", "--help"], new InvocationConfiguration { Output = output, Error = new StringWriter() },
            TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Contains("--calibration", output.ToString());
    }
}
