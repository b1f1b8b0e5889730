namespace ModernBert.Outputs;

/// <summary>
/// One output row: a document, or one window of a long document. <see cref="TokenStart"/> and
/// <see cref="TokenEnd"/> bound the window's tokens, [start, end), within the document's tokens without [CLS]/[SEP].
/// </summary>
public abstract record ResultRow(string Id, int Chunk, int TokenStart, int TokenEnd);

public sealed record EmbeddingRow(string Id, int Chunk, int TokenStart, int TokenEnd, float[] Embedding)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);

public sealed record ClassificationRow(string Id, int Chunk, int TokenStart, int TokenEnd, string Label, float Score, float[] Scores)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
