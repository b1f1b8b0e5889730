using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// The encoder, the prediction head on every token and the classifier projection, as transformers'
/// ModernBertForTokenClassification (model, head, drop, classifier; the dropout is the identity at inference and has
/// no parameters).
/// </summary>
public sealed class ModernBertForTokenClassification : nn.Module<UnpaddedBatch, Tensor>
{
    private readonly ModernBertModel model;
    private readonly ModernBertPredictionHead head;
    private readonly Linear classifier;

    public ModernBertForTokenClassification(ModernBertConfig config, Device device, ModelDtype dtype, IAttentionKernel kernel,
        IElementwiseKernels? elementwise = null)
        : base(nameof(ModernBertForTokenClassification))
    {
        if (config.Labels.Count == 0)
            throw new ModelConfigException("The configuration has no id2label: it is not a token classification checkpoint.");
        model = new ModernBertModel(config, device, dtype, kernel, elementwise);
        head = new ModernBertPredictionHead(config, device, dtype.Tensors);
        classifier = nn.Linear(config.HiddenSize, config.Labels.Count, hasBias: true, device, dtype.Tensors);
        RegisterComponents();
    }

    public ModernBertConfig Config => model.Config;

    /// <returns>Logits, [tokens, labels] in the batch's token order, float32.</returns>
    public override Tensor forward(UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        Tensor hidden = model.call(batch);
        return classifier.call(head.call(hidden)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
