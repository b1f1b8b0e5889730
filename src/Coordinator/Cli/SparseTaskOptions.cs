using System.CommandLine;
using ModernBert.Tasks.Sparse;

namespace ModernBert.Coordinator.Cli;

/// <summary>The command-line options of the sparse task (<see cref="SparseOptions"/>) that <c>run</c> takes.</summary>
internal sealed class SparseTaskOptions
{
    private readonly Option<int?> _topK = new("--top-k")
    {
        Description = "Keep the N largest weights of each sparse vector (default: every non-zero weight).",
    };

    private readonly PromptOptions _prompts;

    /// <param name="prompts">The prompt and window options, which the command adds once for every task that takes them.</param>
    public SparseTaskOptions(PromptOptions prompts)
    {
        _prompts = prompts;
        _topK.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 1)
                result.AddError("--top-k must be at least 1.");
        });
    }

    public IEnumerable<Option> All => [_topK];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    public SparseOptions Read(ParseResult result) =>
        new(result.GetValue(_topK), _prompts.PromptName(result), _prompts.Prompt(result), _prompts.MaxTokens(result));
}
