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

    private readonly Option<TruncationStrategy?> _truncation = EnumOption.Create<TruncationStrategy>("--truncation",
        "Which text of a pair too long for the model loses tokens, as Hugging Face's truncation strategies (default: longest_first).");

    private readonly Option<PairOverflow?> _pairOverflow = EnumOption.Create<PairOverflow>("--pair-overflow",
        "A pair too long for the model: truncate it (default), or window its second text, each window with the whole first text (one row per window).");

    private readonly Option<ScoreActivation?> _activation = EnumOption.Create<ScoreActivation>("--activation",
        "How logits become scores (default: the CrossEncoder's saved activation, else sigmoid for one label or multi-label, softmax otherwise).");

    public IEnumerable<Option> All => [_pairs, _truncation, _pairOverflow, _activation];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    public ClassifyOptions Read(ParseResult result) =>
        new(result.GetValue(_pairs), result.GetValue(_truncation) ?? TruncationStrategy.LongestFirst, result.GetValue(_pairOverflow) ?? PairOverflow.Truncate,
            result.GetValue(_activation));
}
