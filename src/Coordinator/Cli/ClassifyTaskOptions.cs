using System.CommandLine;
using ModernBert.Documents;
using ModernBert.Tasks.Classify;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>The command-line options of the classify task (<see cref="ClassifyOptions"/>), which <c>classify</c> and <c>run</c> both take.</summary>
internal sealed class ClassifyTaskOptions
{
    /// <summary>What applies where an option is not given.</summary>
    private static readonly ClassifyOptions Defaults = new();

    private readonly Option<bool> _pairs = new("--pairs")
    {
        Description = "Records are pairs of texts (Input:TextField and Input:TextPairField), e.g. query and passage; a record with one text is rejected.",
    };

    private readonly Option<TruncationStrategy?> _truncation = EnumOption.Create<TruncationStrategy>("--truncation",
        $"Which text of a pair too long for the model loses tokens, as Hugging Face's truncation strategies (default: {EnumNames.Name(Defaults.Truncation)}).");

    private readonly Option<PairOverflow?> _pairOverflow = EnumOption.Create<PairOverflow>("--pair-overflow",
        "A pair too long for the model: truncate it, or window its second text, each window with the whole first text (one row per window) " +
        $"(default: {EnumNames.Name(Defaults.PairOverflow)}).");

    private readonly Option<ScoreActivation?> _activation = EnumOption.Create<ScoreActivation>("--activation",
        "How logits become scores (default: the CrossEncoder's saved activation, else sigmoid for one label or multi-label, softmax otherwise).");

    public IEnumerable<Option> All => [_pairs, _truncation, _pairOverflow, _activation];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    public ClassifyOptions Read(ParseResult result) =>
        new(result.GetValue(_pairs), result.GetValue(_truncation) ?? Defaults.Truncation, result.GetValue(_pairOverflow) ?? Defaults.PairOverflow,
            result.GetValue(_activation));
}
