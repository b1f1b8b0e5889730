using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// Multi-head self-attention on the unpadded token stream: fused Wqkv projection, rotary embeddings with this
/// layer type's θ, attention within each sequence (globally, or within a sliding window), then Wo. The residual
/// connection is added inside Wo's matrix multiply (see <see cref="ResidualProjection"/>).
/// </summary>
public sealed class ModernBertAttention : nn.Module<Tensor, Tensor, EncoderContext, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> Wqkv;
    private readonly nn.Module<Tensor, Tensor> Wo;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly AttentionType _type;
    private readonly int? _window;

    public ModernBertAttention(ModernBertConfig config, int layer, Device device, ModelDtype dtype) : base(nameof(ModernBertAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _type = config.LayerTypes[layer];
        _window = _type == AttentionType.SlidingAttention ? config.LocalAttention / 2 : null;
        Wqkv = EncoderLinear.Create(config.HiddenSize, 3L * config.HiddenSize, config.AttentionBias, device, dtype);
        Wo = EncoderLinear.Create(config.HiddenSize, config.HiddenSize, config.AttentionBias, device, dtype);
        RegisterComponents();
    }

    /// <param name="hidden">[tokens, hidden], normalized.</param>
    /// <param name="residual">[tokens, hidden], added to the output.</param>
    /// <returns>residual + Wo(attention).</returns>
    public override Tensor forward(Tensor hidden, Tensor residual, EncoderContext context)
    {
        using var scope = torch.NewDisposeScope();
        long tokens = hidden.shape[0];
        Tensor qkv = Wqkv.call(hidden).view(tokens, 3, _heads, _headDim);
        (Tensor query, Tensor key) = context.Elementwise.RotateQueryKey(qkv, _type, context);
        Tensor attended = context.Kernel.Attend(query, key, qkv.select(1, 2), context.Batch, _window);
        return ResidualProjection.Apply(Wo, attended.reshape(tokens, -1), residual).MoveToOuterDisposeScope();
    }
}
