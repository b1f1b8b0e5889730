using ModernBert.Modeling;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Which attention kernel the model uses: the best for the device and dtype, or one forced by name.</summary>
public enum AttentionImplementation
{
    Auto,
    Flash,
    Sdpa,
}

public static class AttentionKernels
{
    public static IAttentionKernel Create(AttentionImplementation implementation, Device device, ScalarType dtype) => implementation switch
    {
        AttentionImplementation.Sdpa => new SdpaAttentionKernel(),
        AttentionImplementation.Flash when FlashVarlenAttentionKernel.Supports(device, dtype) => new FlashVarlenAttentionKernel(),
        AttentionImplementation.Flash => throw new ArgumentException(
            $"Flash attention needs a CUDA device and fp16 or bf16, not {device.type} with {TorchRuntime.DtypeName(dtype)}."),
        _ => FlashVarlenAttentionKernel.Supports(device, dtype) ? new FlashVarlenAttentionKernel() : new SdpaAttentionKernel(),
    };
}
