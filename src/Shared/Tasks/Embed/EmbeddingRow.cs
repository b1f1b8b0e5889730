using ModernBert.Outputs;

namespace ModernBert.Tasks.Embed;

public sealed record EmbeddingRow(string Id, int Chunk, int TokenStart, int TokenEnd, float[] Embedding)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
