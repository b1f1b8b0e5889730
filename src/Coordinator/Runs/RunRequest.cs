using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Coordinator.Runs;

/// <summary>What the user asked <c>modernbert run</c> for: a new run, or the resumption of one.</summary>
public sealed record RunRequest
{
    public IReadOnlyList<string> Inputs { get; init; } = [];
    public string? Output { get; init; }
    public string? Model { get; init; }
    public string? Revision { get; init; }
    public InferenceTask Task { get; init; } = InferenceTask.Embed;
    public string? RunId { get; init; }

    /// <summary>Resume this run; it must exist.</summary>
    public string? Resume { get; init; }

    public PoolingMode? Pooling { get; init; }
    public bool? Normalize { get; init; }
    public int? Dimensions { get; init; }
    public EmbeddingPrecision Precision { get; init; } = EmbeddingPrecision.Float32;
}
