using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>The encoder, pooling (config classifier_pooling), the prediction head and the classifier projection.</summary>
public sealed class ModernBertForSequenceClassification : nn.Module<UnpaddedBatch, Tensor>
{
    private readonly ModernBertModel model;
    private readonly ModernBertPredictionHead head;
    private readonly Linear classifier;
    private readonly PoolingMode _pooling;

    public ModernBertForSequenceClassification(ModernBertConfig config, Device device, ModelDtype dtype, IAttentionKernel kernel,
        IElementwiseKernels? elementwise = null)
        : base(nameof(ModernBertForSequenceClassification))
    {
        if (config.Labels.Count == 0)
            throw new ModelConfigException("The configuration has no id2label: it is not a sequence classification checkpoint.");
        _pooling = config.ClassifierPoolingMode;
        model = new ModernBertModel(config, device, dtype, kernel, elementwise);
        head = new ModernBertPredictionHead(config, device, dtype.Tensors);
        classifier = nn.Linear(config.HiddenSize, config.Labels.Count, hasBias: true, device, dtype.Tensors);
        RegisterComponents();
    }

    public ModernBertConfig Config => model.Config;

    /// <returns>Logits, [sequences, labels], float32.</returns>
    public override Tensor forward(UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        Tensor hidden = model.call(batch);
        Tensor pooled = SequencePooling.Pool(hidden, batch, _pooling).to(hidden.dtype);
        return classifier.call(head.call(pooled)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
