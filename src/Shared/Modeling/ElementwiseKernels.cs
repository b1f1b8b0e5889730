using Microsoft.Extensions.Logging;
using ModernBert.Cuda;
using ModernBert.Inference;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>Which kernels run the model's rotary embedding, gated activation and encoder LayerNorms.</summary>
public enum ElementwiseImplementation
{
    /// <summary>Native where it runs (CUDA, bf16 or fp16) and NVRTC compiles it; Torch elsewhere.</summary>
    Auto,

    /// <summary>libtorch operators, fused by TorchScript on CUDA; any device and dtype.</summary>
    Torch,

    /// <summary>Our own CUDA kernels, compiled by NVRTC at load; CUDA with bf16 or fp16 only.</summary>
    Native,
}

public static class ElementwiseKernels
{
    /// <summary>What the model runs with unless told otherwise: the native kernels where they run (faster on an H100 at every size; see README), else Torch.</summary>
    public const ElementwiseImplementation Default = ElementwiseImplementation.Auto;

    /// <param name="logger">Told why <see cref="ElementwiseImplementation.Auto"/> fell back to the Torch kernels on CUDA.</param>
    /// <exception cref="ArgumentException">Native on a device or dtype it does not run on.</exception>
    /// <exception cref="CudaException">Native where NVRTC is missing or the kernels do not compile.</exception>
    public static IElementwiseKernels Create(ElementwiseImplementation implementation, Device device, ScalarType dtype, ILogger? logger = null) =>
        implementation switch
        {
            ElementwiseImplementation.Auto => NativeOrTorch(device, dtype, logger),
            ElementwiseImplementation.Torch => TorchElementwiseKernels.Instance,
            ElementwiseImplementation.Native => NativeElementwiseKernels.ForDevice(device, dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(implementation), implementation, null),
        };

    /// <summary>Which implementation <paramref name="kernels"/> are, once Auto has chosen.</summary>
    public static ElementwiseImplementation ImplementationOf(IElementwiseKernels kernels) =>
        kernels is NativeElementwiseKernels ? ElementwiseImplementation.Native : ElementwiseImplementation.Torch;

    private static IElementwiseKernels NativeOrTorch(Device device, ScalarType dtype, ILogger? logger)
    {
        if (!NativeElementwiseKernels.Supports(device, dtype))
            return TorchElementwiseKernels.Instance;
        try
        {
            return NativeElementwiseKernels.ForDevice(device, dtype);
        }
        catch (CudaException e)
        {
            logger?.LogWarning("The native elementwise kernels are not available, so the model uses the Torch kernels: {Reason}", e.Message);
            return TorchElementwiseKernels.Instance;
        }
    }
}
