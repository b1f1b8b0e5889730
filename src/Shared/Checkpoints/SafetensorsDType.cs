using TorchSharp;

namespace ModernBert.Checkpoints;

/// <summary>A safetensors element type: its name in the header, its size, and the TorchSharp type it reads into, if any.</summary>
internal sealed record SafetensorsDType(string Name, int ElementSize, torch.ScalarType? ScalarType)
{
    private static readonly Dictionary<string, SafetensorsDType> Known = new SafetensorsDType[]
    {
        new("BOOL", 1, torch.ScalarType.Bool),
        new("U8", 1, torch.ScalarType.Byte),
        new("I8", 1, torch.ScalarType.Int8),
        new("I16", 2, torch.ScalarType.Int16),
        new("I32", 4, torch.ScalarType.Int32),
        new("I64", 8, torch.ScalarType.Int64),
        new("F16", 2, torch.ScalarType.Float16),
        new("BF16", 2, torch.ScalarType.BFloat16),
        new("F32", 4, torch.ScalarType.Float32),
        new("F64", 8, torch.ScalarType.Float64),
        // Defined by the format but without a TorchSharp counterpart: the header is valid, the tensor is unreadable.
        new("U16", 2, null),
        new("U32", 4, null),
        new("U64", 8, null),
        new("F8_E4M3", 1, null),
        new("F8_E5M2", 1, null),
        new("F8_E8M0", 1, null),
    }.ToDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>The element types a model weight may be stored in.</summary>
    public static IReadOnlyList<string> WeightTypes { get; } = ["F32", "F16", "BF16"];

    public static string ReadableTypes { get; } = string.Join(", ", Known.Values.Where(type => type.ScalarType != null).Select(type => type.Name));

    public static SafetensorsDType? Find(string name) => Known.GetValueOrDefault(name);

    public static SafetensorsDType Get(string name) =>
        Find(name) ?? throw new ArgumentException($"Unknown safetensors dtype '{name}'.", nameof(name));
}
