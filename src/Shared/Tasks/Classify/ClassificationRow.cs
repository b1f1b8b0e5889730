using ModernBert.Outputs;

namespace ModernBert.Tasks.Classify;

/// <summary>The top label, its score and raw logit (a reranker's one logit), and every label's score.</summary>
public sealed record ClassificationRow(string Id, int Chunk, int TokenStart, int TokenEnd, string Label, float Score, float[] Scores, float Logit)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
