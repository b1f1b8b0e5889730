using System.CommandLine;

namespace ModernBert.Tests.Cli;

/// <summary>The exit code and the console output of one command line run in-process.</summary>
internal sealed record CommandLineRun(int ExitCode, string Output, string Errors)
{
    /// <summary>Fails the test, showing stderr, unless the run exited with 0.</summary>
    public void AssertSucceeded() => Assert.True(ExitCode == 0, $"Exit code {ExitCode}; stderr: {Errors}");

    /// <summary>Runs <paramref name="args"/> against a root command holding <paramref name="command"/>, capturing stdout and stderr.</summary>
    public static async Task<CommandLineRun> RunAsync(Command command, params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var root = new RootCommand { command };
        int exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = errors }, TestContext.Current.CancellationToken);
        return new CommandLineRun(exitCode, output.ToString(), errors.ToString());
    }
}
