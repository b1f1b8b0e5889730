namespace ModernBert.Cuda;

/// <summary>
/// The value of one kernel parameter, held in 8 bytes: a device pointer or an int64, or an int32 or float in the low
/// 4 bytes (little-endian), so that a pointer to it serves the driver whatever the parameter's size.
/// </summary>
public readonly struct KernelArgument
{
    private KernelArgument(long bits) => Bits = bits;

    public long Bits { get; }

    public static KernelArgument Pointer(nint address) => new(address);

    public static KernelArgument Int64(long value) => new(value);

    public static KernelArgument Int32(int value) => new((uint)value);

    public static KernelArgument Float(float value) => new((uint)BitConverter.SingleToInt32Bits(value));
}
