using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// The activations a sentence-transformers Dense module names in its config: the class's full name, as Dense's
/// get_config_dict writes it (<c>fullname(self.activation_function)</c>, sentence_transformers/models/Dense.py).
/// </summary>
public static class DenseActivations
{
    public static IReadOnlyList<string> Supported { get; } =
    [
        "torch.nn.modules.linear.Identity", "torch.nn.modules.activation.Tanh", "torch.nn.modules.activation.ReLU",
        "torch.nn.modules.activation.GELU", "torch.nn.modules.activation.Sigmoid", "torch.nn.modules.activation.SiLU",
    ];

    public static bool IsSupported(string name) => Supported.Contains(name);

    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "torch.nn.modules.linear.Identity" => nn.Identity(),
        "torch.nn.modules.activation.Tanh" => nn.Tanh(),
        "torch.nn.modules.activation.ReLU" => nn.ReLU(),
        "torch.nn.modules.activation.GELU" => nn.GELU(),
        "torch.nn.modules.activation.Sigmoid" => nn.Sigmoid(),
        "torch.nn.modules.activation.SiLU" => nn.SiLU(),
        _ => throw new ArgumentException($"Unsupported Dense activation '{name}'.", nameof(name)),
    };
}
