using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// <c>embed</c>: one embedding per document (per window of a long document), as sentence-transformers runs the
/// checkpoint's modules.json chain: the encoder's last hidden states pooled (every Pooling mode, with the prompt's
/// tokens left out when include_prompt is false), its Dense modules, optional Matryoshka truncation and L2
/// normalization (<see cref="EmbeddingModel"/>), written as <see cref="EmbeddingRow"/>s.
/// </summary>
public sealed class EmbedTask : InferenceTask<EmbedOptions>
{
    public static EmbedTask Instance { get; } = new();

    private EmbedTask()
    {
    }

    public override string Name => "embed";

    public override InputEncodings Input => InputEncodings.Text | InputEncodings.TokenIds;

    protected override string? Problem(EmbedOptions options, Func<string, string> name) =>
        options.Dimensions is < 1 ? $"{name("dimensions")} must be at least 1, not {options.Dimensions}"
        : options.MaxTokens is < 3 ? $"{name("max_tokens")} must be at least 3, not {options.MaxTokens}"
        : options.Pooling is PoolingMode pooling && !Enum.IsDefined(pooling) ? $"{name("pooling")} {pooling} is not a pooling mode"
        : !Enum.IsDefined(options.Precision) ? $"{name("precision")} {options.Precision} is not float32, float16, int8, uint8, binary or ubinary"
        : options.Ranges is not null && options.Precision is not (EmbeddingPrecision.Int8 or EmbeddingPrecision.UInt8)
            ? $"{name("ranges")} needs {name("precision")} int8 or uint8"
        : options.Ranges is not null && (options.Ranges.Length != 2 || options.Ranges[0].Length != options.Ranges[1].Length || options.Ranges[0].Length == 0)
            ? $"{name("ranges")} must be two rows (minimums, maximums) of one value per dimension"
        : null;

    protected override ResultSchema SchemaOf(EmbedOptions options) => IsQuantized(options.Precision)
        ? QuantizedEmbeddingSchema.For(options.Precision)
        : EmbeddingSchema.For(options.Precision);

    /// <summary>Whether the precision stores integers (int8, uint8, binary, ubinary) rather than floats.</summary>
    public static bool IsQuantized(EmbeddingPrecision precision) => precision is not (EmbeddingPrecision.Float32 or EmbeddingPrecision.Float16);

    /// <summary>Whether the precision needs per-dimension ranges (int8, uint8).</summary>
    public static bool NeedsRanges(EmbeddingPrecision precision) => precision is EmbeddingPrecision.Int8 or EmbeddingPrecision.UInt8;

    protected override void CheckModel(EmbedOptions options, ModelFolder folder)
    {
        int width = EmbeddingHead.WidthOf(PoolingOf(options, folder), folder.Dense.Count > 0 ? folder.Dense[^1].OutFeatures : null, folder.Config.HiddenSize);
        if (options.Dimensions > width)
            throw new ModelConfigException($"Dimensions {options.Dimensions}: {folder.Path} embeds in {width} dimensions.");
    }

    protected override EmbedOptions ForModel(EmbedOptions options, ModelFolder folder)
    {
        (string? promptName, string prompt) = PromptSelection.Resolve(options.PromptName, options.Prompt, folder);
        return options with { PromptName = promptName, Prompt = prompt, MaxTokens = PromptSelection.MaxTokens(options.MaxTokens, folder) };
    }

    protected override TaskTokenization TokenizationOf(EmbedOptions options) => new(options.MaxTokens, options.Prompt);

    protected override EmbedOptions? CalibrationOptionsOf(EmbedOptions options) =>
        NeedsRanges(options.Precision) && options.Ranges is null ? options with { Precision = EmbeddingPrecision.Float32 } : null;

    /// <summary>Each dimension's minimum and maximum over the sample, as quantize_embeddings computes ranges from calibration_embeddings.</summary>
    protected override EmbedOptions Calibrated(EmbedOptions options, IReadOnlyList<ResultRow> sample)
    {
        float[][] embeddings = [.. sample.Cast<EmbeddingRow>().Select(row => row.Embedding)];
        if (embeddings.Length == 0)
            throw new ConfigurationException($"Precision {options.Precision} needs each dimension's range, and the corpus has no document to compute them from.");
        int dimensions = embeddings[0].Length;
        float[] minimums = [.. Enumerable.Range(0, dimensions).Select(d => embeddings.Min(embedding => embedding[d]))];
        float[] maximums = [.. Enumerable.Range(0, dimensions).Select(d => embeddings.Max(embedding => embedding[d]))];
        return options with { Ranges = [minimums, maximums] };
    }

    protected override IInferenceModel Load(ModelFolder folder, EmbedOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        options = ForModel(options, folder);
        if (NeedsRanges(options.Precision) && options.Ranges is null)
            throw new ConfigurationException($"Precision {options.Precision} needs each dimension's range: give --calibration, or run it " +
                "through embed or run, which compute them from a sample of the corpus.");
        SentencePooling pooling = PoolingOf(options, folder);
        int promptLength = pooling.IncludePrompt ? 0 : PromptSelection.PromptLength(folder, options.Prompt!);
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertModel(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new EmbeddingModel(model, kernel, transfers,
                new EmbeddingHead(pooling, promptLength,
                    DenseModules.Load(folder.Dense, pooling.Modes.Count * folder.Config.HiddenSize, settings.Device, ScalarType.Float32, logger, cancellationToken),
                    options.Normalize ?? folder.DefaultNormalize, options.Dimensions), options.Precision, options.Ranges),
            logger, cancellationToken);
    }

    /// <summary>The model's pooling, its mode replaced by the option's; whether the prompt is pooled stays the model's.</summary>
    private static SentencePooling PoolingOf(EmbedOptions options, ModelFolder folder) =>
        options.Pooling is PoolingMode mode ? folder.Pooling with { Modes = [mode] } : folder.Pooling;
}
