using System.CommandLine;
using ModernBert.Tasks.Multivector;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The command-line options of the multivector task (<see cref="MultivectorOptions"/>) that <c>run</c> takes: --query,
/// and the shared --precision (default float16 here), --max-tokens, --prompt-name and --prompt.
/// </summary>
internal sealed class MultivectorTaskOptions(EmbedTaskOptions embedding, PromptOptions prompts)
{
    /// <summary>The shared options this task reads; the other embed and prompt options are not its own.</summary>
    public static readonly string[] SharedOptions = ["--precision", "--max-tokens", "--prompt-name", "--prompt"];

    private readonly Option<bool> _query = new("--query")
    {
        Description = "multivector: encode the documents as queries (query prefix, truncated to query_length, [MASK] expansion).",
    };

    public IEnumerable<Option> All => [_query];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    public MultivectorOptions Read(ParseResult result) =>
        new(result.GetValue(_query), embedding.GivenPrecision(result) ?? new MultivectorOptions().Precision, prompts.MaxTokens(result),
            PromptName: prompts.PromptName(result), Prompt: prompts.Prompt(result));
}
