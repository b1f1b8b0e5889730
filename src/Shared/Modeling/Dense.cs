using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// sentence-transformers' Dense module (sentence_transformers/models/Dense.py): activation(linear(x)), with the
/// checkpoint keys linear.weight and linear.bias of its folder's model.safetensors. PyLate's Dense is the same
/// module applied to every token's state, and with use_residual adds its input to that, through residual.weight (no
/// bias) when the widths differ (pylate/models/Dense.py).
/// </summary>
public sealed class Dense : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly nn.Module<Tensor, Tensor> activation_function;
    private readonly Linear? residual;
    private readonly bool _useResidual;

    public Dense(int inFeatures, int outFeatures, bool bias, string activationFunction, bool useResidual, Device device, ScalarType dtype)
        : base(nameof(Dense))
    {
        OutFeatures = outFeatures;
        linear = nn.Linear(inFeatures, outFeatures, bias, device, dtype);
        activation_function = DenseActivations.Create(activationFunction);
        _useResidual = useResidual;
        if (useResidual && inFeatures != outFeatures)
            residual = nn.Linear(inFeatures, outFeatures, hasBias: false, device, dtype);
        RegisterComponents();
    }

    public int OutFeatures { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor output = activation_function.call(linear.call(input));
        if (_useResidual)
            output = output + (residual?.call(input) ?? input);
        return output.MoveToOuterDisposeScope();
    }
}
