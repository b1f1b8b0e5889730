using Microsoft.Extensions.Options;

namespace ModernBert.Coordinator.Cli;

/// <summary>The exit codes of every <c>modernbert</c> command.</summary>
internal static class ExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int CompletedWithFailures = 2;
    public const int Interrupted = 130;
}

/// <summary>
/// The one place that turns an error ending a command into its exit code and the one line the user reads
/// (<c>modernbert COMMAND: message</c>, no stack trace). Errors that are not the user's to fix (bugs) propagate.
/// </summary>
internal static class CommandOutcome
{
    public static async Task<int> RunAsync(string command, TextWriter errors, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await errors.WriteLineAsync($"modernbert {command}: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (IsUserError(e))
        {
            await errors.WriteLineAsync($"modernbert {command}: {UserMessage(e)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Errors a user can act on: the product's own, invalid settings, files or folders that cannot be read or written, and files the user gave that are malformed (a tokenizer.json).</summary>
    public static bool IsUserError(Exception e) =>
        e is ModernBertException or OptionsValidationException or IOException or UnauthorizedAccessException or InvalidDataException;

    public static string UserMessage(Exception e) => e is OptionsValidationException validation
        ? string.Join(" ", validation.Failures)
        : e.Message;
}
