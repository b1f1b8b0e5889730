using ModernBert.Outputs;

namespace ModernBert.Tasks.Sparse;

/// <summary>A sparse vector over the vocabulary: the token ids with a non-zero weight, ascending, and their weights.</summary>
public sealed record SparseRow(string Id, int Chunk, int TokenStart, int TokenEnd, int[] Indices, float[] Values)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
