using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// Multi-head self-attention on the unpadded token stream: fused Wqkv projection, rotary embeddings with this
/// layer type's θ, attention within each sequence (globally, or within a sliding window), then Wo.
/// </summary>
public sealed class ModernBertAttention : nn.Module<Tensor, EncoderContext, Tensor>
{
    private readonly Linear Wqkv;
    private readonly Linear Wo;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly AttentionType _type;
    private readonly int? _window;

    public ModernBertAttention(ModernBertConfig config, int layer, Device device, ScalarType dtype) : base(nameof(ModernBertAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _type = config.LayerTypes[layer];
        _window = _type == AttentionType.SlidingAttention ? config.LocalAttention / 2 : null;
        Wqkv = nn.Linear(config.HiddenSize, 3L * config.HiddenSize, config.AttentionBias, device, dtype);
        Wo = nn.Linear(config.HiddenSize, config.HiddenSize, config.AttentionBias, device, dtype);
        RegisterComponents();
    }

    /// <param name="hidden">[tokens, hidden].</param>
    public override Tensor forward(Tensor hidden, EncoderContext context)
    {
        using var scope = torch.NewDisposeScope();
        long tokens = hidden.shape[0];
        Tensor qkv = Wqkv.call(hidden).view(tokens, 3, _heads, _headDim);
        (Tensor cos, Tensor signedSin) = context.Rotary(_type);
        Tensor queryKey = ModernBertRotaryEmbedding.Rotate(qkv.narrow(1, 0, 2), cos, signedSin);
        Tensor attended = context.Kernel.Attend(queryKey.select(1, 0), queryKey.select(1, 1), qkv.select(1, 2), context.Batch, _window);
        return Wo.call(attended.reshape(tokens, -1)).MoveToOuterDisposeScope();
    }
}
