using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModernBert.Cuda;

/// <summary>The address of a tensor's first element, on whatever device it lives, for kernels launched outside libtorch.</summary>
public static class TensorMemory
{
    public static nint Address(Tensor tensor)
    {
        nint address = THSTensor_data(tensor.Handle);
        if (address == 0 && tensor.numel() > 0)
            throw new InvalidOperationException($"libtorch gave no data pointer for a {tensor.device} tensor of shape [{string.Join(", ", tensor.shape)}].");
        return address;
    }

    // LibTorchSharp's export; TorchSharp's own wrapper refuses tensors that are not on the CPU.
    [DllImport("LibTorchSharp")]
    private static extern nint THSTensor_data(nint tensor);
}
