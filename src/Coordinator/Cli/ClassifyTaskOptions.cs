using System.CommandLine;
using ModernBert.Documents;
using ModernBert.Tasks.Classify;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>The command-line options of the classify task (<see cref="ClassifyOptions"/>), which <c>classify</c> and <c>run</c> both take.</summary>
internal sealed class ClassifyTaskOptions
{
    private readonly Option<bool> _pairs = new("--pairs")
    {
        Description = "Records are pairs of texts (Input:TextField and Input:TextPairField), e.g. query and passage; a record with one text is rejected.",
    };

    private readonly Option<TruncationStrategy> _truncation = new("--truncation")
    {
        Description = "Which text of a pair too long for the model loses tokens: longest_first (default), only_first or only_second.",
        DefaultValueFactory = _ => TruncationStrategy.LongestFirst,
        CustomParser = result => Enum.TryParse(result.Tokens[0].Value.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out TruncationStrategy strategy)
            && Enum.IsDefined(strategy)
            ? strategy
            : Invalid(result, "--truncation must be longest_first, only_first or only_second"),
    };

    private readonly Option<PairOverflow> _pairOverflow = new("--pair-overflow")
    {
        Description = "A pair too long for the model: truncate it (default), or window its second text, each window with the whole first text (one row per window).",
        DefaultValueFactory = _ => PairOverflow.Truncate,
    };

    private readonly Option<ScoreActivation?> _activation = new("--activation")
    {
        Description = "How logits become scores: none, sigmoid or softmax (default: the CrossEncoder's saved activation, else sigmoid for one label or multi-label, softmax otherwise).",
    };

    public IEnumerable<Option> All => [_pairs, _truncation, _pairOverflow, _activation];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    private static TruncationStrategy Invalid(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }

    public ClassifyOptions Read(ParseResult result) =>
        new(result.GetValue(_pairs), result.GetValue(_truncation), result.GetValue(_pairOverflow), result.GetValue(_activation));
}
