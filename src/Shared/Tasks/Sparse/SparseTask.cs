using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Tasks.Sparse;

/// <summary>
/// <c>sparse</c>: one SPLADE vector per document (per window of a long document), as a sentence-transformers
/// SparseEncoder computes it (MLMTransformer, then SpladePooling): the masked-LM logits of every token, log(1 + relu),
/// max (or sum) over the window's tokens (<see cref="SparseModel"/>). A plain ModernBertForMaskedLM checkpoint runs
/// with SpladePooling's defaults (max, relu). Written as <see cref="SparseRow"/>s.
/// </summary>
public sealed class SparseTask : InferenceTask<SparseOptions>
{
    public static SparseTask Instance { get; } = new();

    private SparseTask()
    {
    }

    public override string Name => "sparse";

    public override InputEncodings Input => InputEncodings.Text | InputEncodings.TokenIds;

    protected override string? Problem(SparseOptions options, Func<string, string> name) =>
        options.TopK is < 1 ? $"{name("top_k")} must be at least 1, not {options.TopK}"
        : options.MaxTokens is < 3 ? $"{name("max_tokens")} must be at least 3, not {options.MaxTokens}"
        : null;

    protected override ResultSchema SchemaOf(SparseOptions options) => SparseSchema.Instance;

    protected override SparseOptions ForModel(SparseOptions options, ModelFolder folder)
    {
        (string? promptName, string prompt) = PromptSelection.Resolve(options.PromptName, options.Prompt, folder);
        return options with { PromptName = promptName, Prompt = prompt, MaxTokens = PromptSelection.MaxTokens(options.MaxTokens, folder) };
    }

    protected override TaskTokenization TokenizationOf(SparseOptions options) => new(options.MaxTokens, options.Prompt);

    protected override void CheckModel(SparseOptions options, ModelFolder folder)
    {
        // A checkpoint saved by transformers names its class; only the masked-LM one holds the head SPLADE reads.
        if (folder.Config.Architectures.Count > 0 && !folder.Config.Architectures.Contains("ModernBertForMaskedLM"))
            throw new ModelConfigException($"{Path.Combine(folder.Path, ModelFolder.ConfigFileName)} names architectures " +
                $"[{string.Join(", ", folder.Config.Architectures)}], not ModernBertForMaskedLM: sparse needs the masked-LM head.");
        if (folder.Modules.Count > 0 && folder.SpladePooling is null)
            throw new ModelConfigException($"{Path.Combine(folder.Path, SentenceTransformersModules.FileName)} has no SpladePooling module: " +
                "it is not a SparseEncoder (SPLADE) checkpoint.");
    }

    protected override IInferenceModel Load(ModelFolder folder, SparseOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        SpladePoolingModule pooling = folder.SpladePooling ?? new SpladePoolingModule();
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertForMaskedLM(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new SparseModel(model, kernel, transfers, pooling, options.TopK, SparseModel.LogitsBudget(settings.Device)),
            logger, cancellationToken);
    }
}
