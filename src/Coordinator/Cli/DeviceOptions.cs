using ModernBert.Modeling;
using System.CommandLine;
using ModernBert.Inference;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary>How the model runs on its device: options that the commands which run the model share.</summary>
internal static class DeviceOptions
{
    /// <param name="fallback">What applies without the option.</param>
    public static Option<ElementwiseImplementation?> Elementwise(string fallback) => EnumOption.Create<ElementwiseImplementation>("--elementwise",
        "Rotary, GeGLU and LayerNorm kernels: torch (TorchScript-fused on CUDA), native (our CUDA kernels, compiled by NVRTC; CUDA, bf16 or fp16) "
        + $"or auto (native where they run and compile, else torch) (default: {fallback}).");

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

    /// <summary><c>--device</c> of the bench commands, read by <see cref="Resolve"/>.</summary>
    public static Option<string?> Device(string? note = null) => new("--device")
    {
        Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)." + (note is null ? "" : " " + note),
    };

    /// <summary>
    /// The device that <c>--device NAME</c> names (cpu, cuda or cuda:N; without it CUDA when libtorch sees a device, else
    /// the CPU), with libtorch loaded for it. A name or a libtorch that cannot serve it is the user's to fix.
    /// </summary>
    public static Device Resolve(string? name)
    {
        try
        {
            Device device = name is null ? TorchRuntime.DefaultDevice() : TorchRuntime.ParseDevice(name);
            TorchRuntime.EnsureAvailable(device);
            return device;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ConfigurationException(CommandOutcome.UserMessage(e), e);
        }
    }

    /// <param name="fallback">What applies without the option.</param>
    public static Option<TransferMode?> Transfers(string fallback) => EnumOption.Create<TransferMode>("--transfers",
        "How batches reach a CUDA device: overlapped (pinned copies on a stream of their own, beside the device's work) or synchronous " +
        $"(default: {fallback}). The CPU always copies synchronously.");
}
