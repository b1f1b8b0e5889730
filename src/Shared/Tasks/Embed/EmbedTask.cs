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

    protected override string? Problem(EmbedOptions options) =>
        options.Dimensions is < 1 ? $"dimensions must be at least 1, not {options.Dimensions}"
        : options.MaxTokens is < 3 ? $"max_tokens must be at least 3, not {options.MaxTokens}"
        : options.Pooling is PoolingMode pooling && !Enum.IsDefined(pooling) ? $"pooling {pooling} is not a pooling mode"
        : !Enum.IsDefined(options.Precision) ? $"precision {options.Precision} is not float32 or float16"
        : null;

    protected override ResultSchema SchemaOf(EmbedOptions options) => EmbeddingSchema.For(options.Precision);

    protected override EmbedOptions ForModel(EmbedOptions options, ModelFolder folder) => options with
    {
        Prompt = PromptSelection.Resolve(options.PromptName, options.Prompt, folder),
        MaxTokens = PromptSelection.MaxTokens(options.MaxTokens, folder),
    };

    protected override TaskTokenization TokenizationOf(EmbedOptions options) => new(options.MaxTokens, options.Prompt);

    protected override IInferenceModel Load(ModelFolder folder, EmbedOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        options = ForModel(options, folder);
        SentencePooling pooling = options.Pooling is PoolingMode mode ? SentencePooling.Of(mode) : folder.Pooling;
        int promptLength = pooling.IncludePrompt ? 0 : PromptSelection.PromptLength(folder, options.Prompt!);
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertModel(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new EmbeddingModel(model, kernel, transfers,
                new EmbeddingHead(pooling, promptLength,
                    DenseModules.Load(folder.Dense, pooling.Modes.Count * folder.Config.HiddenSize, settings.Device, ScalarType.Float32, logger, cancellationToken),
                    options.Normalize ?? folder.DefaultNormalize, options.Dimensions)),
            logger, cancellationToken);
    }
}
