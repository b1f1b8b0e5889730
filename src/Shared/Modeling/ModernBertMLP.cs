using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>The GeGLU feed-forward block: Wi projects to twice the intermediate size, act(input) * gate, then Wo.</summary>
public sealed class ModernBertMLP : nn.Module<Tensor, Tensor>
{
    private readonly Linear Wi;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly Linear Wo;

    public ModernBertMLP(ModernBertConfig config, Device device, ScalarType dtype) : base(nameof(ModernBertMLP))
    {
        Wi = nn.Linear(config.HiddenSize, 2L * config.IntermediateSize, config.MlpBias, device, dtype);
        act = Activations.Create(config.HiddenActivation);
        Wo = nn.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        Tensor[] inputAndGate = Wi.call(hidden).chunk(2, -1);
        return Wo.call(act.call(inputAndGate[0]).mul_(inputAndGate[1])).MoveToOuterDisposeScope();
    }
}
