namespace ModernBert.Tasks.Classify;

/// <summary>Classification takes its head, labels and problem type from the checkpoint; it has no options yet.</summary>
public sealed record ClassifyOptions;
