using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// The precision a model runs in: the dtype of its tensors, and whether each encoder layer's four linear layers
/// (attn.Wqkv, attn.Wo, mlp.Wi, mlp.Wo) multiply in float8 e4m3 instead (<see cref="Fp8Linear"/>). The one place where
/// dtype names are read and written.
/// </summary>
public readonly record struct ModelDtype(ScalarType Tensors, bool Fp8Linears = false)
{
    /// <summary>bf16 tensors with the encoder's linear layers in float8 e4m3.</summary>
    public static ModelDtype Fp8 { get; } = new(ScalarType.BFloat16, Fp8Linears: true);

    /// <summary>The names the command line accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fp32", "fp16", "bf16", "fp8"];

    /// <summary>"fp32", "fp16", "bf16" (also "float32", "float16", "bfloat16") or "fp8".</summary>
    public static ModelDtype Parse(string name) => name.ToLowerInvariant() switch
    {
        "fp32" or "float32" or "float" => ScalarType.Float32,
        "fp16" or "float16" or "half" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp8" => Fp8,
        _ => throw new ArgumentException($"Unknown dtype '{name}': use fp32, fp16, bf16 or fp8.", nameof(name)),
    };

    /// <summary>bf16 on CUDA, fp32 on the CPU (where half precision is slow).</summary>
    public static ModelDtype Default(Device device) => device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary><paramref name="name"/> parsed, or the device's default when it is null.</summary>
    public static ModelDtype ParseOrDefault(string? name, Device device) => name is null ? Default(device) : Parse(name);

    public string Name => Fp8Linears ? "fp8" : Tensors switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.Float16 => "fp16",
        ScalarType.BFloat16 => "bf16",
        _ => Tensors.ToString(),
    };

    public override string ToString() => Name;

    public static implicit operator ModelDtype(ScalarType tensors) => new(tensors);
}
