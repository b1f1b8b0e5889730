using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// The GeGLU feed-forward block: Wi projects to twice the intermediate size, act(input) * gate, then Wo.
/// The activation runs fused with the gate (see <see cref="IElementwiseKernels"/>), so there is no act module; the
/// residual connection is added inside Wo's matrix multiply (see <see cref="ResidualProjection"/>).
/// </summary>
public sealed class ModernBertMLP : nn.Module<Tensor, Tensor, EncoderContext, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> Wi;
    private readonly string _activation;
    private readonly nn.Module<Tensor, Tensor> Wo;

    public ModernBertMLP(ModernBertConfig config, Device device, ModelDtype dtype) : base(nameof(ModernBertMLP))
    {
        Wi = EncoderLinear.Create(config.HiddenSize, 2L * config.IntermediateSize, config.MlpBias, device, dtype);
        _activation = config.HiddenActivation;
        Wo = EncoderLinear.Create(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        RegisterComponents();
    }

    /// <returns>residual + Wo(act(input) * gate).</returns>
    public override Tensor forward(Tensor hidden, Tensor residual, EncoderContext context)
    {
        using var scope = torch.NewDisposeScope();
        Tensor gated = context.Elementwise.GatedActivation(_activation, Wi.call(hidden));
        return ResidualProjection.Apply(Wo, gated, residual).MoveToOuterDisposeScope();
    }
}
