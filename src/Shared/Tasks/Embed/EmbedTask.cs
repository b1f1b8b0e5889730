using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// <c>embed</c>: one embedding per document (per window of a long document): the encoder's last hidden states
/// pooled, optionally truncated and L2-normalized (<see cref="EmbeddingModel"/>), written as <see cref="EmbeddingRow"/>s.
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
        : options.Pooling is PoolingMode pooling && !Enum.IsDefined(pooling) ? $"pooling {pooling} is not cls or mean"
        : !Enum.IsDefined(options.Precision) ? $"precision {options.Precision} is not float32 or float16"
        : null;

    protected override ResultSchema SchemaOf(EmbedOptions options) => EmbeddingSchema.For(options.Precision);

    protected override IInferenceModel Load(ModelFolder folder, EmbedOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken) =>
        ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertModel(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new EmbeddingModel(model, kernel, transfers, options.Pooling ?? folder.DefaultPooling,
                options.Normalize ?? folder.DefaultNormalize, options.Dimensions),
            logger, cancellationToken);
}
