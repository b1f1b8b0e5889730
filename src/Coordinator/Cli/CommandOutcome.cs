using Azure;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Cli;

/// <summary>The exit codes of every <c>modernbert</c> command.</summary>
internal static class ExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int CompletedWithFailures = 2;

    /// <summary>Another coordinator drives the run (<see cref="RunLeaseException"/>): this one did not touch it, or stopped.</summary>
    public const int RunLeased = 3;
    public const int Interrupted = 130;
}

/// <summary>
/// The one place that turns how a command ended into its exit code and what the user reads: a run's outcome, or an
/// error as one line (<c>modernbert COMMAND: message</c>, no stack trace). Errors that are not the user's to fix
/// (bugs) propagate.
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
        catch (RunLeaseException e)
        {
            await errors.WriteLineAsync($"modernbert {command}: {e.Message}");
            return ExitCodes.RunLeased;
        }
        catch (Exception e) when (IsUserError(e))
        {
            await errors.WriteLineAsync($"modernbert {command}: {UserMessage(e)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Writes what a run came to (its summary on <paramref name="output"/>, an interruption on <paramref name="errors"/>) and returns the exit code.</summary>
    public static async Task<int> ReportAsync(RunOutcome outcome, TextWriter output, TextWriter errors)
    {
        switch (outcome)
        {
            case RunOutcome.Finished finished:
                await output.WriteLineAsync(RunSummary.Describe(finished.Manifest, finished.OutputLocation));
                return ExitCode(finished.Manifest.Status);
            case RunOutcome.AlreadyFinished already:
                await output.WriteLineAsync($"Run {already.RunId} already finished: {RunSummary.Status(already.Status)}. Output: {already.OutputLocation}");
                return ExitCode(already.Status);
            case RunOutcome.Interrupted:
                await errors.WriteLineAsync($"Run {outcome.RunId} interrupted; its progress is saved. Continue it with: modernbert run --resume {outcome.RunId}");
                return ExitCodes.Interrupted;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown run outcome.");
        }
    }

    public static int ExitCode(RunStatus status) => status switch
    {
        RunStatus.Completed => ExitCodes.Completed,
        RunStatus.CompletedWithFailures => ExitCodes.CompletedWithFailures,
        _ => ExitCodes.Failed,
    };

    /// <summary>
    /// Errors a user can act on: the product's own, invalid settings, files or folders that cannot be read or written,
    /// files the user gave that are malformed (a tokenizer.json), and a service that did not answer in time or at all
    /// through its retries (or a run that made no progress).
    /// </summary>
    public static bool IsUserError(Exception e) =>
        e is ModernBertException or OptionsValidationException or IOException or UnauthorizedAccessException or InvalidDataException or TimeoutException
            or RequestFailedException or HttpRequestException
        || e is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.All(IsUserError);

    public static string UserMessage(Exception e) => e switch
    {
        OptionsValidationException validation => string.Join(" ", validation.Failures),
        AggregateException aggregate => string.Join(" ", aggregate.InnerExceptions.Select(UserMessage)),
        RequestFailedException => StorageFailures.Reason(e),
        // Without what only a programmer needs: the parameter's name, and the value that .NET appends on its own lines.
        ArgumentException { ParamName: string parameter } => e.Message.Split('\n')[0].Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal),
        _ => e.Message,
    };
}
