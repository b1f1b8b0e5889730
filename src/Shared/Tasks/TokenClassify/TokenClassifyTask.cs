using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Tasks.TokenClassify;

/// <summary>
/// <c>token-classify</c>: a ModernBertForTokenClassification checkpoint's labels per token of each text, grouped into
/// entities with character spans in the document (<see cref="TokenClassificationModel"/>), written as
/// <see cref="TokenClassificationRow"/>s, one per window of a long document. Spans need the text: records are texts,
/// and their chunks carry their tokens' spans (<see cref="TaskTokenization.Alignments"/>), so that the worker that
/// computes a chunk's logits groups its entities, and each chunk's row is written exactly once like any other task's.
/// </summary>
public sealed class TokenClassifyTask : InferenceTask<TokenClassifyOptions>
{
    public static TokenClassifyTask Instance { get; } = new();

    private TokenClassifyTask()
    {
    }

    public override string Name => "token-classify";

    public override InputEncodings Input => InputEncodings.Text;

    protected override string? Problem(TokenClassifyOptions options, Func<string, string> name) =>
        !Enum.IsDefined(options.Aggregation) ? $"{name("aggregation")} {options.Aggregation} is not none, simple, first, average or max"
        : options.IgnoreLabels?.Any(string.IsNullOrEmpty) == true ? $"{name("ignore_labels")} holds an empty label"
        : null;

    protected override ResultSchema SchemaOf(TokenClassifyOptions options) => TokenClassificationSchema.Instance;

    protected override TaskTokenization TokenizationOf(TokenClassifyOptions options) => new(Alignments: true);

    protected override void CheckModel(TokenClassifyOptions options, ModelFolder folder)
    {
        string config = Path.Combine(folder.Path, "config.json");
        if (!folder.IsClassifier)
            throw new ModelConfigException($"{config} has no id2label: it is not a token classification model.");
        if (!folder.Config.Architectures.Contains("ModernBertForTokenClassification"))
            throw new ModelConfigException(
                $"{config} names architectures [{string.Join(", ", folder.Config.Architectures)}], not ModernBertForTokenClassification.");
        // The pipeline compares ignore_labels with entities' labels, or their groups' after aggregation: any other never matches.
        string[] known = [.. folder.Config.Labels.Concat(folder.Config.Labels.Select(EntityGrouping.GroupLabel)).Distinct()];
        if (options.IgnoreLabels?.FirstOrDefault(label => !known.Contains(label)) is string unknown)
            throw new ConfigurationException($"The ignored label '{unknown}' is none of the labels or entity groups of {config} " +
                $"({string.Join(", ", known)}){(unknown.Contains(',') ? "; give each label apart" : "")}.");
    }

    protected override IInferenceModel Load(ModelFolder folder, TokenClassifyOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken) =>
        ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertForTokenClassification(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new TokenClassificationModel(model, kernel, transfers, options),
            logger, cancellationToken);
}
