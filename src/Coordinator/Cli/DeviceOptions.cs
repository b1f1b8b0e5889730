using ModernBert.Modeling;
using System.CommandLine;
using ModernBert.Inference;

namespace ModernBert.Coordinator.Cli;

/// <summary>How the model runs on its device: options that the commands which run the model share.</summary>
internal static class DeviceOptions
{
    public static Option<ElementwiseImplementation> Elementwise() => new("--elementwise")
    {
        Description = "Rotary, GeGLU and LayerNorm kernels: torch (TorchScript-fused on CUDA), native (our CUDA kernels, compiled by NVRTC; CUDA, bf16 or fp16) "
            + "or auto (native where they run and compile, else torch).",
        DefaultValueFactory = _ => ElementwiseKernels.Default,
    };

    public static Option<string?> Dtype()
    {
        var option = new Option<string?>("--dtype")
        {
            Description = "fp32, fp16, bf16, or fp8 (bf16 with each encoder layer's four linear layers in float8 e4m3, see README) "
                + "(default: bf16 on CUDA, fp32 on CPU).",
        };
        option.AcceptOnlyFromAmong([.. ModelDtype.Names]);
        return option;
    }

    public static Option<TransferMode> Transfers() => new("--transfers")
    {
        Description = "How batches reach a CUDA device: overlapped (pinned copies on a stream of their own, beside the device's work) or synchronous. The CPU always copies synchronously.",
        DefaultValueFactory = _ => TransferMode.Overlapped,
    };
}
