using ModernBert.Modeling;

namespace ModernBert.Tasks.Embed;

/// <summary>How embeddings come out and are stored.</summary>
/// <param name="Pooling">null: the checkpoint's (its sentence-transformers Pooling module, else classifier_pooling).</param>
/// <param name="Normalize">L2 normalization; null: the checkpoint's (whether it ends with a Normalize module).</param>
/// <param name="Dimensions">Keep the first N dimensions (Matryoshka truncation), before normalization; null: all.</param>
/// <param name="Precision">How Parquet stores the values (JSON Lines always hold float32 values).</param>
public sealed record EmbedOptions(PoolingMode? Pooling = null, bool? Normalize = null, int? Dimensions = null,
    EmbeddingPrecision Precision = EmbeddingPrecision.Float32);

public enum EmbeddingPrecision
{
    Float32,
    /// <summary>IEEE half precision (Parquet FLOAT16); values are rounded to the nearest half.</summary>
    Float16,
}
