using System.Diagnostics.CodeAnalysis;
using ModernBert.Documents;
using ModernBert.Outputs;

namespace ModernBert.Inference;

/// <summary>What became of one chunk: its result row, or the reason it has none (<see cref="Failure"/>).</summary>
public sealed record ChunkResult(DocumentChunk Chunk, ResultRow? Row, string? Failure)
{
    [MemberNotNullWhen(true, nameof(Row))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Row is not null;

    public static ChunkResult Success(DocumentChunk chunk, ResultRow row) => new(chunk, row, null);

    public static ChunkResult Failed(DocumentChunk chunk, string reason) => new(chunk, null, reason);
}
