using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>dense, activation, norm: the head between the pooled encoder output and a task's final projection.</summary>
public sealed class ModernBertPredictionHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly LayerNorm norm;

    public ModernBertPredictionHead(ModernBertConfig config, Device device, ScalarType dtype) : base(nameof(ModernBertPredictionHead))
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize, config.ClassifierBias, device, dtype);
        act = Activations.Create(config.ClassifierActivation);
        norm = nn.LayerNorm(config.HiddenSize, config.NormEps, bias: config.NormBias, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        return norm.call(act.call(dense.call(hidden))).MoveToOuterDisposeScope();
    }
}
