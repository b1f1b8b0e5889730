using ModernBert.Fleet.Contracts;
using ModernBert.Inputs;

namespace ModernBert.Coordinator.Runs;

/// <summary>What a run computes and where: stored as run.json so that a resumed run plans exactly the same jobs.</summary>
public sealed record RunSpec
{
    public required string RunId { get; init; }

    /// <summary>Input locations (files, folders, globs; local or Azure Blob), read in this order.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    public required JobSpec Job { get; init; }

    /// <summary>Null in runs created before it was kept, whose later requests are compared by inputs, model and output only.</summary>
    public RequestedRunSettings? Requested { get; init; }

    public required int JobTokens { get; init; }

    public required int WindowOverlap { get; init; }

    /// <summary>The packer's look-ahead (<see cref="Planning.PlanningOptions"/>); null in runs planned before it was kept.</summary>
    public int? LookAheadChunks { get; init; }

    /// <summary>Null in runs planned before it was kept, which had no token bound.</summary>
    public long? LookAheadTokens { get; init; }

    /// <summary>
    /// The corpus's field names (<c>Input:*</c>), so that a resume reads the records as the run read them, whatever the
    /// settings are then; null in runs created before they were kept, which read them from the settings.
    /// </summary>
    public InputOptions? Input { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
