using System.CommandLine;
using System.CommandLine.Invocation;

namespace ModernBert.Coordinator.Cli;

/// <summary>The <c>modernbert</c> command line: its commands, and how a command line that does not parse is answered.</summary>
internal static class ModernBertCommandLine
{
    public static RootCommand Create() => new("ModernBERT batch inference: tokenize, embed and classify corpora, on one machine or a fleet of GPU workers.")
    {
        TokenizeCommand.Create(),
        EmbedCommand.Create(),
        ClassifyCommand.Create(),
        RunCommand.Create(),
        StatusCommand.Create(),
        BenchCommand.Create(),
    };

    /// <summary>
    /// Runs the command line. One that does not parse gets its errors (with typo corrections) and where its usage is,
    /// not the whole help after them, which would push the errors off the screen.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken)
    {
        ParseResult parsed = Create().Parse(args);
        if (parsed.Action is not ParseErrorAction errors)
            return await parsed.InvokeAsync(configuration, cancellationToken);
        errors.ShowHelp = false;
        int exitCode = await parsed.InvokeAsync(configuration, cancellationToken);
        var names = new Stack<string>();
        for (Command? command = parsed.CommandResult.Command; command is not null; command = command.Parents.OfType<Command>().FirstOrDefault())
            names.Push(command is RootCommand ? "modernbert" : command.Name);
        await configuration.Error.WriteLineAsync($"Run '{string.Join(' ', names)} --help' for its usage.");
        return exitCode;
    }
}
