using ModernBert.Inference;
using ModernBert.Tokenization;

namespace ModernBert.Tasks;

/// <summary>
/// The prompt a document is encoded with, chosen as SentenceTransformer.encode chooses it: the prompt text when given
/// (the name is then ignored), else the named prompt of config_sentence_transformers.json, else its
/// default_prompt_name's; an empty prompt is none.
/// </summary>
public static class PromptSelection
{
    /// <exception cref="ConfigurationException">The name is not one of the model's prompts (the message lists them).</exception>
    public static string Resolve(string? promptName, string? prompt, ModelFolder folder)
    {
        SentenceTransformersConfig config = folder.SentenceTransformers;
        if (prompt != null)
            return prompt;
        if (promptName != null)
            return config.Prompt(promptName);
        return config.DefaultPromptName is string name ? config.Prompt(name) : "";
    }

    /// <summary>The window length: the option, else sentence_bert_config.json's max_seq_length, else max_position_embeddings.</summary>
    public static int MaxTokens(int? option, ModelFolder folder) =>
        Math.Min(option ?? folder.SentenceTransformers.MaxSeqLength ?? folder.Config.MaxPositionEmbeddings, folder.Config.MaxPositionEmbeddings);

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
