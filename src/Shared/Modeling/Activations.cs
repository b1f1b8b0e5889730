using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>The activation functions transformers' ACT2FN offers that ModernBERT checkpoints use.</summary>
public static class Activations
{
    public static IReadOnlyList<string> Supported { get; } = ["gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "relu"];

    public static bool IsSupported(string name) => Supported.Contains(name);

    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "gelu" => nn.GELU(),
        "gelu_new" or "gelu_pytorch_tanh" => nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh),
        "silu" => nn.SiLU(),
        "relu" => nn.ReLU(),
        _ => throw new ArgumentException($"Unsupported activation '{name}'.", nameof(name)),
    };
}
