using System.CommandLine;
using ModernBert.Modeling;
using ModernBert.Tasks.Embed;

namespace ModernBert.Coordinator.Cli;

/// <summary>The command-line options of the embed task (<see cref="EmbedOptions"/>), which <c>embed</c> and <c>run</c> both take.</summary>
internal sealed class EmbedTaskOptions
{
    private readonly Option<PoolingMode?> _pooling = EnumOption.Create<PoolingMode>("--pooling",
        "How token states become one vector, as sentence-transformers' Pooling modes (default: the checkpoint's: its " +
        "sentence-transformers Pooling module, else classifier_pooling).");

    private readonly Option<bool?> _normalize = new("--normalize")
    {
        Description = "L2-normalize the embeddings; --normalize false turns off a checkpoint's Normalize module (default: the checkpoint's).",
    };

    private readonly Option<int?> _dimensions = new("--dims")
    {
        Description = "Keep the first N dimensions (Matryoshka truncation), before normalization (default: all).",
    };

    private readonly Option<EmbeddingPrecision?> _precision = EnumOption.Create<EmbeddingPrecision>("--precision",
        "How embeddings are stored: float32 (embed's default), float16 (multivector's default; JSON Lines hold the float16 values), or quantized as " +
        "sentence-transformers' quantize_embeddings: int8, uint8 (per-dimension ranges: --calibration, else a corpus sample), binary, ubinary.");

    private readonly Option<FileInfo?> _calibration = new("--calibration")
    {
        Description = "int8/uint8: a JSON file [[min_0, min_1, ...], [max_0, max_1, ...]] of each dimension's range " +
            "(quantize_embeddings' ranges; e.g. the manifest's task_options.ranges of an earlier run).",
    };

    private readonly PromptOptions _prompts;

    /// <param name="prompts">The prompt and window options, which the command adds once for every task that takes them.</param>
    public EmbedTaskOptions(PromptOptions prompts)
    {
        _prompts = prompts;
        _dimensions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 1)
                result.AddError("--dims must be at least 1.");
        });
    }

    public IEnumerable<Option> All => [_pooling, _normalize, _dimensions, _precision, _calibration];

    /// <summary>The names of these options that the command line gives (not defaulted).</summary>
    public IEnumerable<string> Given(ParseResult result) => All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name);

    /// <summary>--precision when given (multivector reads it too, with its own default).</summary>
    public EmbeddingPrecision? GivenPrecision(ParseResult result) => result.GetValue(_precision);

    public EmbedOptions Read(ParseResult result) =>
        new(result.GetValue(_pooling), result.GetValue(_normalize), result.GetValue(_dimensions), result.GetValue(_precision) ?? new EmbedOptions().Precision,
            _prompts.PromptName(result), _prompts.Prompt(result), _prompts.MaxTokens(result), CalibrationRanges.Read(result.GetValue(_calibration)));
}
