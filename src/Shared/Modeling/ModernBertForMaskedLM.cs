using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// The encoder, the prediction head (dense, activation, norm) and the decoder, as transformers'
/// ModernBertForMaskedLM: <c>decoder(head(last_hidden_state))</c>. <see cref="forward"/> stops before the decoder so
/// that the caller can take the vocabulary in slices (<see cref="Decoder"/>).
/// </summary>
public sealed class ModernBertForMaskedLM : nn.Module<UnpaddedBatch, Tensor>
{
    private readonly ModernBertModel model;
    private readonly ModernBertPredictionHead head;
    private readonly ModernBertMaskedLMDecoder decoder;

    public ModernBertForMaskedLM(ModernBertConfig config, Device device, ModelDtype dtype, IAttentionKernel kernel, IElementwiseKernels? elementwise = null)
        : base(nameof(ModernBertForMaskedLM))
    {
        model = new ModernBertModel(config, device, dtype, kernel, elementwise);
        head = new ModernBertPredictionHead(config, device, dtype.Tensors);
        decoder = new ModernBertMaskedLMDecoder(config, () => model.TokenEmbeddingWeight, device, dtype.Tensors);
        RegisterComponents();
    }

    public ModernBertConfig Config => model.Config;

    public ModernBertMaskedLMDecoder Decoder => decoder;

    /// <returns>The prediction head's output, [tokens, hidden], which the decoder turns into logits.</returns>
    public override Tensor forward(UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        return head.call(model.call(batch)).MoveToOuterDisposeScope();
    }
}
