namespace ModernBert.Checkpoints;

/// <summary>What <see cref="CheckpointLoader.Load"/> did.</summary>
/// <param name="LoadedCount">How many parameters and persistent buffers were filled from the checkpoint.</param>
/// <param name="IgnoredKeys">Checkpoint keys no module tensor asked for (for example the MLM head when embedding), sorted.</param>
public sealed record CheckpointLoadResult(int LoadedCount, IReadOnlyList<string> IgnoredKeys);
