namespace ModernBert.Tasks.Sparse;

/// <summary>How sparse (SPLADE) vectors come out.</summary>
/// <param name="TopK">Keep the N largest weights of each vector (then sorted by index); null: every non-zero weight.</param>
/// <param name="PromptName">A prompt of the model's config_sentence_transformers.json, by name; resolved runs hold the name of the prompt applied, if the model names it.</param>
/// <param name="Prompt">The prompt text itself (wins over <paramref name="PromptName"/>); resolved runs hold the text applied ("" for none).</param>
/// <param name="MaxTokens">The window length; null: sentence_bert_config.json's max_seq_length, else max_position_embeddings.</param>
public sealed record SparseOptions(int? TopK = null, string? PromptName = null, string? Prompt = null, int? MaxTokens = null);
