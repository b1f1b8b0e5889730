namespace ModernBert.Checkpoints;

/// <summary>One tensor as a safetensors header describes it.</summary>
/// <param name="Name">The tensor's key in the file.</param>
/// <param name="DType">The element type as the header spells it: F32, F16, BF16, I64, ...</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="FileOffset">Where the tensor's bytes start, counted from the start of the file.</param>
/// <param name="ByteLength">How many bytes the tensor occupies.</param>
public sealed record SafetensorsTensorInfo(string Name, string DType, IReadOnlyList<long> Shape, long FileOffset, long ByteLength)
{
    public string ShapeText => FormatShape(Shape);

    internal static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
