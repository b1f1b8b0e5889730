using ModernBert.Outputs;

namespace ModernBert.Tasks.Embed;

/// <summary>An embedding quantized to int8, uint8, binary or ubinary (<see cref="EmbeddingQuantizer"/>).</summary>
public sealed record QuantizedEmbeddingRow(string Id, int Chunk, int TokenStart, int TokenEnd, int[] Embedding)
    : ResultRow(Id, Chunk, TokenStart, TokenEnd);
