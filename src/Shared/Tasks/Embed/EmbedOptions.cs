using ModernBert.Modeling;

namespace ModernBert.Tasks.Embed;

/// <summary>How embeddings come out and are stored.</summary>
/// <param name="Pooling">null: the checkpoint's (its sentence-transformers Pooling module, else classifier_pooling).</param>
/// <param name="Normalize">L2 normalization; null: the checkpoint's (whether it ends with a Normalize module).</param>
/// <param name="Dimensions">Keep the first N dimensions (Matryoshka truncation), before normalization; null: all.</param>
/// <param name="Precision">How Parquet stores the values (JSON Lines always hold float32 values).</param>
/// <param name="PromptName">A prompt of the model's config_sentence_transformers.json, by name.</param>
/// <param name="Prompt">
/// The prompt text itself (wins over <paramref name="PromptName"/>); resolved runs hold the text applied ("" for none).
/// </param>
/// <param name="MaxTokens">The window length; null: sentence_bert_config.json's max_seq_length, else max_position_embeddings.</param>
public sealed record EmbedOptions(PoolingMode? Pooling = null, bool? Normalize = null, int? Dimensions = null,
    EmbeddingPrecision Precision = EmbeddingPrecision.Float32, string? PromptName = null, string? Prompt = null, int? MaxTokens = null);

public enum EmbeddingPrecision
{
    Float32,
    /// <summary>IEEE half precision (Parquet FLOAT16); values are rounded to the nearest half.</summary>
    Float16,
}
