using System.CommandLine;
using ModernBert.Tasks.TokenClassify;

namespace ModernBert.Coordinator.Cli;

/// <summary>The command-line options of the token-classify task (<see cref="TokenClassifyOptions"/>), which <c>run</c> takes.</summary>
internal sealed class TokenClassifyTaskOptions
{
    /// <summary>What applies where an option is not given.</summary>
    private static readonly TokenClassifyOptions Defaults = new();

    private readonly Option<AggregationStrategy?> _aggregation = EnumOption.Create<AggregationStrategy>("--aggregation",
        $"How tokens become entities, as transformers' token-classification pipeline's aggregation_strategy (default: {EnumNames.Name(Defaults.Aggregation)}).");

    private readonly Option<string[]?> _ignoreLabels = new("--ignore-labels")
    {
        Description = "Entity labels left out of the output (repeatable; default: O; given with no label: none).",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public IEnumerable<Option> All => [_aggregation, _ignoreLabels];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    /// <summary>The options; the ignored labels are null (the task's default) unless the command line gives the option.</summary>
    public TokenClassifyOptions Read(ParseResult result) =>
        new(result.GetValue(_aggregation) ?? Defaults.Aggregation, result.GetResult(_ignoreLabels) is { Implicit: false } ? result.GetValue(_ignoreLabels) ?? [] : null);
}
