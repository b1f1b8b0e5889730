using ModernBert.Outputs;

namespace ModernBert.Tasks.Multivector;

/// <summary>A window's token vectors, one per kept token, in token order.</summary>
public sealed record MultivectorRow(string Id, int Chunk, int TokenStart, int TokenEnd, float[][] Embeddings)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
