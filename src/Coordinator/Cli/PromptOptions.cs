using System.CommandLine;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The command-line options of the tasks that encode text with a prompt and a window length (embed, sparse, multivector): the
/// prompt by name or as text, and the window length.
/// </summary>
internal sealed class PromptOptions
{
    private readonly Option<string?> _promptName = new("--prompt-name")
    {
        Description = "Put the model's prompt of this name (config_sentence_transformers.json prompts) before every document " +
            "(default: its default_prompt_name's, if any).",
    };

    private readonly Option<string?> _prompt = new("--prompt")
    {
        Description = "Put this text before every document (instead of a prompt of the model; \"\" for none).",
    };

    private readonly Option<int?> _maxTokens = new("--max-tokens")
    {
        Description = "Window length in tokens (default: sentence_bert_config.json's max_seq_length, else the model's maximum).",
    };

    public PromptOptions()
    {
        // SentenceTransformer.encode takes both and ignores the name with a warning; a command line giving both is a mistake.
        _prompt.Validators.Add(result =>
        {
            if (result.GetResult(_promptName) is { Implicit: false })
                result.AddError("--prompt and --prompt-name: give one of them (--prompt is the prompt's text itself).");
        });
        _maxTokens.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 3)
                result.AddError("--max-tokens must be at least 3.");
        });
    }

    public IEnumerable<Option> All => [_promptName, _prompt, _maxTokens];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    public string? PromptName(ParseResult result) => result.GetValue(_promptName);

    public string? Prompt(ParseResult result) => result.GetValue(_prompt);

    public int? MaxTokens(ParseResult result) => result.GetValue(_maxTokens);
}
