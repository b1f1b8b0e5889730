using System.CommandLine;
using ModernBert.Inference;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>--elementwise</c>, which the commands that run the model share.</summary>
internal static class ElementwiseOption
{
    public static Option<ElementwiseImplementation> Create() => new("--elementwise")
    {
        Description = "Rotary, GeGLU and LayerNorm kernels: torch (TorchScript-fused on CUDA) or native (our CUDA kernels, compiled by NVRTC; CUDA, bf16 or fp16).",
        DefaultValueFactory = _ => ElementwiseImplementation.Torch,
    };
}
