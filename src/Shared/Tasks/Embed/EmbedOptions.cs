using System.Text.Json.Serialization;
using ModernBert.Modeling;

namespace ModernBert.Tasks.Embed;

/// <summary>How embeddings come out and are stored.</summary>
/// <param name="Pooling">null: the checkpoint's (its sentence-transformers Pooling module, else classifier_pooling).</param>
/// <param name="Normalize">L2 normalization; null: the checkpoint's (whether it ends with a Normalize module).</param>
/// <param name="Dimensions">Keep the first N dimensions (Matryoshka truncation), before normalization; null: all.</param>
/// <param name="Precision">
/// How the values are stored: float32, float16 (Parquet and JSON Lines alike: JSON Lines hold the values float16 holds), or quantized as
/// sentence-transformers' quantize_embeddings does (int8, uint8, binary, ubinary; Parquet and JSON Lines alike).
/// </param>
/// <param name="PromptName">A prompt of the model's config_sentence_transformers.json, by name; resolved runs hold the name of the prompt applied, if the model names it.</param>
/// <param name="Prompt">
/// The prompt text itself (wins over <paramref name="PromptName"/>); resolved runs hold the text applied ("" for none).
/// </param>
/// <param name="MaxTokens">The window length; null: sentence_bert_config.json's max_seq_length, else max_position_embeddings.</param>
/// <param name="Ranges">
/// int8 and uint8: each dimension's [minimum, maximum] as quantize_embeddings' <c>ranges</c>, shape (2, dimensions):
/// from --calibration, else computed from a sample of the corpus before the run.
/// </param>
public sealed record EmbedOptions(PoolingMode? Pooling = null, bool? Normalize = null, int? Dimensions = null,
    EmbeddingPrecision Precision = EmbeddingPrecision.Float32, string? PromptName = null, string? Prompt = null, int? MaxTokens = null,
    float[][]? Ranges = null)
{
    public bool Equals(EmbedOptions? other) => other is not null && (Pooling, Normalize, Dimensions, Precision, PromptName, Prompt, MaxTokens)
        == (other.Pooling, other.Normalize, other.Dimensions, other.Precision, other.PromptName, other.Prompt, other.MaxTokens)
        && (Ranges is null ? other.Ranges is null : other.Ranges is not null && Ranges.Length == other.Ranges.Length
            && Ranges.Zip(other.Ranges).All(pair => pair.First.SequenceEqual(pair.Second)));

    public override int GetHashCode() => HashCode.Combine(Pooling, Normalize, Dimensions, Precision, PromptName, Prompt, MaxTokens);
}

public enum EmbeddingPrecision
{
    Float32,
    /// <summary>IEEE half precision (Parquet FLOAT16); values are rounded to the nearest half.</summary>
    Float16,
    /// <summary>((x - min) / ((max - min) / 255) - 128) truncated, per dimension (list&lt;int8&gt;).</summary>
    Int8,
    /// <summary>(x - min) / ((max - min) / 255) truncated, per dimension (list&lt;uint8&gt;).</summary>
    [JsonStringEnumMemberName("uint8")]
    UInt8,
    /// <summary>The signs (x &gt; 0) packed 8 to a byte, first dimension in the high bit, less 128 (list&lt;int8&gt;).</summary>
    Binary,
    /// <summary>The signs packed 8 to a byte, first dimension in the high bit (list&lt;uint8&gt;).</summary>
    [JsonStringEnumMemberName("ubinary")]
    UBinary,
}
