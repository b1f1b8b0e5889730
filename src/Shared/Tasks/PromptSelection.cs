using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tokenization;

namespace ModernBert.Tasks;

/// <summary>
/// The prompt a document is encoded with, chosen as SentenceTransformer.encode chooses it: the prompt text when given
/// (the name is then ignored), else the named prompt of config_sentence_transformers.json, else its
/// default_prompt_name's; an empty prompt is none.
/// </summary>
public static class PromptSelection
{
    /// <summary>
    /// The prompt's text, and the name of the model's prompt that text is (null for a text the model does not name
    /// so, as when a spec gives a text beside another prompt's name: the text wins).
    /// </summary>
    /// <exception cref="ConfigurationException">The name is not one of the model's prompts (the message lists them).</exception>
    public static (string? Name, string Text) Resolve(string? promptName, string? prompt, ModelFolder folder)
    {
        SentenceTransformersConfig config = folder.SentenceTransformers;
        if (prompt != null)
            return (promptName != null && config.Prompts.TryGetValue(promptName, out string? named) && named == prompt ? promptName : null, prompt);
        string? name = promptName ?? config.DefaultPromptName;
        return name is null ? (null, "") : (name, config.Prompt(name));
    }

    /// <summary>The window length: the option, else sentence_bert_config.json's max_seq_length, else max_position_embeddings.</summary>
    /// <exception cref="ModelConfigException">The option is longer than the model's positions.</exception>
    public static int MaxTokens(int? option, ModelFolder folder) =>
        Window(option, folder.SentenceTransformers.MaxSeqLength ?? folder.Config.MaxPositionEmbeddings, folder);

    /// <summary>
    /// The window length the user gave, refused when longer than the model's positions; else the model's own
    /// (<paramref name="modelDefault"/>), cut to its positions.
    /// </summary>
    /// <exception cref="ModelConfigException">The option is longer than the model's positions.</exception>
    public static int Window(int? option, int modelDefault, ModelFolder folder)
    {
        int positions = folder.Config.MaxPositionEmbeddings;
        return option is int asked
            ? asked <= positions ? asked : throw new ModelConfigException($"A window of {asked} tokens (--max-tokens) is longer than the " +
                $"{positions} positions of {Path.Combine(folder.Path, ModelFolder.ConfigFileName)} (max_position_embeddings).")
            : Math.Min(modelDefault, positions);
    }

    /// <summary>
    /// The leading tokens a prompt takes in a sequence, [CLS] included: SentenceTransformer._get_prompt_length, the
    /// prompt's length tokenized alone, less the template's trailing special token.
    /// </summary>
    public static int PromptLength(ModelFolder folder, string prompt)
    {
        if (prompt.Length == 0)
            return 0;
        ModernBertTokenizer tokenizer = folder.Tokenizer;
        int[] ids = tokenizer.Encode(prompt);
        return ids.Length > 0 && ids[^1] == tokenizer.SepTokenId ? ids.Length - 1 : ids.Length;
    }
}
