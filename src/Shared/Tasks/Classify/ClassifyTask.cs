using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tokenization;

namespace ModernBert.Tasks.Classify;

/// <summary>
/// <c>classify</c>: the checkpoint's sequence classification head (<see cref="ModernBertForSequenceClassification"/>)
/// per document (per window of a long document), its labels' probabilities (<see cref="ClassificationModel"/>),
/// written as <see cref="ClassificationRow"/>s.
/// </summary>
public sealed class ClassifyTask : InferenceTask<ClassifyOptions>
{
    public static ClassifyTask Instance { get; } = new();

    private ClassifyTask()
    {
    }

    public override string Name => "classify";

    public override InputEncodings Input => InputEncodings.Text | InputEncodings.TokenIds;

    protected override string? Problem(ClassifyOptions options, Func<string, string> name) =>
        !Enum.IsDefined(options.Truncation) ? $"{name("truncation")} {options.Truncation} is not longest_first, only_first or only_second"
        : !Enum.IsDefined(options.PairOverflow) ? $"{name("pair_overflow")} {options.PairOverflow} is not truncate or window"
        : options.Activation is ScoreActivation activation && !Enum.IsDefined(activation) ? $"{name("activation")} {activation} is not none, sigmoid or softmax"
        : !options.Pairs && options.Truncation != TruncationStrategy.LongestFirst ? $"{name("truncation")} applies to pairs only: it needs {name("pairs")}"
        : !options.Pairs && options.PairOverflow != PairOverflow.Truncate ? $"{name("pair_overflow")} applies to pairs only: it needs {name("pairs")}"
        : options.PairOverflow == PairOverflow.Window && options.Truncation != TruncationStrategy.LongestFirst
            ? $"{name("truncation")} does not apply with {name("pair_overflow")} window, which windows the second text and keeps the first whole"
        : null;

    protected override ResultSchema SchemaOf(ClassifyOptions options) => ClassificationSchema.Instance;

    protected override TaskTokenization TokenizationOf(ClassifyOptions options) =>
        options.Pairs ? new TaskTokenization(Pairs: new PairEncoding(options.Truncation, options.PairOverflow)) : TaskTokenization.Default;

    protected override void CheckModel(ClassifyOptions options, ModelFolder folder)
    {
        string config = Path.Combine(folder.Path, "config.json");
        if (!folder.IsClassifier)
            throw new ModelConfigException($"{config} has no id2label: it is not a sequence classification model.");
        if (folder.Config.Architectures.Contains("ModernBertForTokenClassification"))
            throw new ModelConfigException($"{config} is a token classification model (ModernBertForTokenClassification); run it with modernbert run --task token-classify.");
    }

    /// <summary>The activation the model's files choose, where none is given, so that the spec and the manifest record it.</summary>
    protected override ClassifyOptions ForModel(ClassifyOptions options, ModelFolder folder) =>
        options with { Activation = ScoreActivations.Resolve(folder.Config, options.Activation, Path.Combine(folder.Path, "config.json")) };

    protected override IInferenceModel Load(ModelFolder folder, ClassifyOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        ScoreActivation activation = ScoreActivations.Resolve(folder.Config, options.Activation, Path.Combine(folder.Path, "config.json"));
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertForSequenceClassification(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new ClassificationModel(model, kernel, transfers, activation),
            logger, cancellationToken);
    }
}
