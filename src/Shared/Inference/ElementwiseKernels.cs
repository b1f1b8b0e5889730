using ModernBert.Modeling;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Which kernels run the model's rotary embedding, gated activation and encoder LayerNorms.</summary>
public enum ElementwiseImplementation
{
    /// <summary>libtorch operators, fused by TorchScript on CUDA; any device and dtype.</summary>
    Torch,

    /// <summary>Our own CUDA kernels, compiled by NVRTC at load; CUDA with bf16 or fp16 only.</summary>
    Native,
}

public static class ElementwiseKernels
{
    /// <exception cref="ArgumentException">Native on a device or dtype it does not run on.</exception>
    /// <exception cref="ModernBert.Cuda.CudaException">Native where NVRTC is missing or the kernels do not compile.</exception>
    public static IElementwiseKernels Create(ElementwiseImplementation implementation, Device device, ScalarType dtype) => implementation switch
    {
        ElementwiseImplementation.Torch => TorchElementwiseKernels.Instance,
        ElementwiseImplementation.Native => NativeElementwiseKernels.ForDevice(device, dtype),
        _ => throw new ArgumentOutOfRangeException(nameof(implementation), implementation, null),
    };
}
