namespace ModernBert.Coordinator.Runs;

/// <summary>What <c>modernbert run</c> came to; <c>CommandOutcome</c> turns it into the exit code and what the user reads.</summary>
public abstract record RunOutcome(string RunId)
{
    /// <summary>The run ended now (completed, with failed jobs, or failed) and its manifest is written.</summary>
    public sealed record Finished(RunManifest Manifest, string OutputLocation) : RunOutcome(Manifest.RunId);

    /// <summary>The run had ended before, as <paramref name="Status"/>; nothing was done.</summary>
    public sealed record AlreadyFinished(string RunId, RunStatus Status, string OutputLocation) : RunOutcome(RunId);

    /// <summary>The user interrupted the run; its progress is saved for a resume.</summary>
    public sealed record Interrupted(string RunId) : RunOutcome(RunId);
}
