using ModernBert.Tasks.Embed;

namespace ModernBert.Tasks.Multivector;

/// <summary>How ColBERT token vectors come out (PyLate's ColBERT.encode, pylate/models/colbert.py).</summary>
/// <param name="Query">Encode the documents as queries (query prefix, truncation, [MASK] expansion) rather than as documents.</param>
/// <param name="Precision">How Parquet stores the values: float16 (the default) or float32.</param>
/// <param name="MaxTokens">
/// The window length of documents (default: document_length) or the length of queries (default: query_length), prefix included.
/// </param>
/// <param name="Prefix">The prefix token; resolved runs hold the model's (query_prefix or document_prefix; "" for none).</param>
/// <param name="Expansion">Whether queries are padded with [MASK] to their length; resolved runs hold the model's (do_query_expansion).</param>
/// <param name="AttendToExpansion">
/// Whether the query's tokens attend to its [MASK] expansion; resolved runs hold the model's (attend_to_expansion_tokens,
/// false by default) for expanded queries, and null otherwise.
/// </param>
/// <param name="PromptName">A prompt of the model's config_sentence_transformers.json, by name, for queries and documents alike; resolved runs hold the name of the prompt applied, if the model names it.</param>
/// <param name="Prompt">The prompt text itself (wins over <paramref name="PromptName"/>); resolved runs hold the text applied ("" for none).</param>
public sealed record MultivectorOptions(bool Query = false, EmbeddingPrecision Precision = EmbeddingPrecision.Float16, int? MaxTokens = null,
    string? Prefix = null, bool? Expansion = null, bool? AttendToExpansion = null, string? PromptName = null, string? Prompt = null);
