using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

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

    protected override ResultSchema SchemaOf(ClassifyOptions options) => ClassificationSchema.Instance;

    protected override IInferenceModel Load(ModelFolder folder, ClassifyOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        if (!folder.IsClassifier)
            throw new ModelConfigException($"{Path.Combine(folder.Path, "config.json")} has no id2label: it is not a sequence classification model.");
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertForSequenceClassification(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new ClassificationModel(model, kernel, transfers),
            logger, cancellationToken);
    }
}
