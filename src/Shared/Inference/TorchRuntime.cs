using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Parses device and dtype names and makes sure libtorch is loaded, with a message that says what to do when it is not.</summary>
public static class TorchRuntime
{
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public static Device ParseDevice(string name)
    {
        Device device;
        try
        {
            device = torch.device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"Unknown device '{name}': use cpu, cuda or cuda:N.", nameof(name), e);
        }
        if (device.type is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"Unsupported device '{name}': use cpu, cuda or cuda:N.", nameof(name));
        return device;
    }

    /// <summary>"fp32", "fp16" or "bf16" (also "float32", "float16", "bfloat16").</summary>
    public static ScalarType ParseDtype(string name) => name.ToLowerInvariant() switch
    {
        "fp32" or "float32" or "float" => ScalarType.Float32,
        "fp16" or "float16" or "half" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"Unknown dtype '{name}': use fp32, fp16 or bf16.", nameof(name)),
    };

    public static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.Float16 => "fp16",
        ScalarType.BFloat16 => "bf16",
        _ => dtype.ToString(),
    };

    /// <summary>Loads libtorch for <paramref name="device"/>, or throws an exception explaining why it could not.</summary>
    public static void EnsureAvailable(Device device)
    {
        try
        {
            if (device.type == DeviceType.CUDA)
            {
                torch.InitializeDeviceType(DeviceType.CUDA);
                if (!torch.cuda.is_available())
                    throw new InvalidOperationException("CUDA was requested but libtorch sees no CUDA device.");
            }
            else
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            throw new InvalidOperationException(
                $"libtorch could not be loaded for {device.type}: {Innermost(e).Message} " +
                "CPU builds ship libtorch; for CUDA, build with -p:TorchSharpBackend=cuda, or use a PyTorch installation's " +
                "libtorch by putting its torch/lib folder on LD_LIBRARY_PATH (see README, 'GPU with the host's PyTorch').", e);
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
