using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>A pre-norm encoder layer: x + attn(attn_norm(x)), then x + mlp(mlp_norm(x)). Layer 0 has no attn_norm.</summary>
public sealed class ModernBertEncoderLayer : nn.Module<Tensor, EncoderContext, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> attn_norm;
    private readonly ModernBertAttention attn;
    private readonly LayerNorm mlp_norm;
    private readonly ModernBertMLP mlp;

    public ModernBertEncoderLayer(ModernBertConfig config, int layer, Device device, ModelDtype dtype) : base(nameof(ModernBertEncoderLayer))
    {
        attn_norm = layer == 0
            ? nn.Identity()
            : nn.LayerNorm(config.HiddenSize, config.NormEps, bias: config.NormBias, device: device, dtype: dtype.Tensors);
        attn = new ModernBertAttention(config, layer, device, dtype);
        mlp_norm = nn.LayerNorm(config.HiddenSize, config.NormEps, bias: config.NormBias, device: device, dtype: dtype.Tensors);
        mlp = new ModernBertMLP(config, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, EncoderContext context)
    {
        using var scope = torch.NewDisposeScope();
        Tensor normalized = attn_norm is LayerNorm norm ? context.Elementwise.LayerNorm(hidden, norm) : hidden;
        Tensor afterAttention = attn.call(normalized, hidden, context);
        return mlp.call(context.Elementwise.LayerNorm(afterAttention, mlp_norm), afterAttention, context).MoveToOuterDisposeScope();
    }
}
