using ModernBert.Inference;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>Which attention kernel the model uses: the best for the device and dtype, or one forced by name.</summary>
public enum AttentionImplementation
{
    /// <summary>On CUDA in fp16 or bf16, cuDNN for batches of one sequence length and FlashAttention-2 for the rest; else SDPA.</summary>
    Auto,

    /// <summary>FlashAttention-2's variable-length kernel for every batch (CUDA, fp16 or bf16).</summary>
    Flash,

    /// <summary>libtorch's scaled_dot_product_attention, one call per group of equal-length sequences; any device.</summary>
    Sdpa,
}

public static class AttentionKernels
{
    public static IAttentionKernel Create(AttentionImplementation implementation, Device device, ScalarType dtype) => implementation switch
    {
        AttentionImplementation.Sdpa => new SdpaAttentionKernel(),
        AttentionImplementation.Flash when FlashVarlenAttentionKernel.Supports(device, dtype) => new FlashVarlenAttentionKernel(),
        AttentionImplementation.Flash => throw new ArgumentException(
            $"Flash attention needs a CUDA device and fp16 or bf16, not {device.type} with {((ModelDtype)dtype).Name}."),
        _ => CudnnUniformAttentionKernel.Supports(device, dtype) ? new CudnnUniformAttentionKernel(device, dtype) : new SdpaAttentionKernel(),
    };
}
