using ModernBert.Outputs;

namespace ModernBert.Tasks.Classify;

public sealed record ClassificationRow(string Id, int Chunk, int TokenStart, int TokenEnd, string Label, float Score, float[] Scores)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
