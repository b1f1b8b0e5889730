using ModernBert.Outputs;

namespace ModernBert.Tasks.TokenClassify;

/// <summary>
/// The entities a chunk decides (of a long document's windows, each token is decided by one), with spans in the
/// document's text.
/// </summary>
public sealed record TokenClassificationRow(string Id, int Chunk, int TokenStart, int TokenEnd, Entity[] Entities)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
