using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Parses device names and makes sure libtorch is loaded, with a message that says what to do when it is not (dtype names: <see cref="Modeling.ModelDtype"/>).</summary>
public static class TorchRuntime
{
    /// <summary>"cpu", "cuda" or "cuda:N". Loads nothing: <see cref="EnsureAvailable"/> does.</summary>
    public static Device ParseDevice(string name)
    {
        Device device;
        try
        {
            device = new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"Unknown device '{name}': use cpu, cuda or cuda:N.", nameof(name), e);
        }
        if (device.type is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"Unsupported device '{name}': use cpu, cuda or cuda:N.", nameof(name));
        return device;
    }

    /// <summary>The first CUDA device when libtorch sees one, else the CPU.</summary>
    public static Device DefaultDevice() => torch.cuda.is_available() ? torch.CUDA : torch.CPU;

    /// <summary>Loads libtorch for <paramref name="device"/>, or throws an exception explaining why it could not.</summary>
    public static void EnsureAvailable(Device device)
    {
        try
        {
            // TorchSharp reports a backend without CUDA support as an InvalidOperationException.
            torch.InitializeDeviceType(device.type);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidOperationException($"libtorch could not be loaded for {device.type}: {Reason(e)} " + (device.type == DeviceType.CUDA && !HasNvidiaDriver()
                ? "This machine has no NVIDIA driver (libcuda.so.1 does not load): run on the CPU (--device cpu), or on a machine with a GPU."
                : "CPU builds ship libtorch; for CUDA, build with -p:TorchSharpBackend=cuda, or use a PyTorch installation's " +
                  "libtorch by putting its torch/lib folder on LD_LIBRARY_PATH (see README, 'GPU with the host's PyTorch')."), e);
        }
        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new InvalidOperationException("CUDA was requested but libtorch sees no CUDA device.");
        if (device.type == DeviceType.CUDA && device.index >= torch.cuda.device_count())
            throw new InvalidOperationException($"libtorch sees {Counted.Of(torch.cuda.device_count(), "CUDA device")}, so there is no {device}.");
    }

    /// <summary>TorchSharp's message, without the heading of a native trace it may have left empty.</summary>
    private static string Reason(Exception e)
    {
        string message = e.GetBaseException().Message.TrimEnd();
        const string TraceHeading = "Trace from LoadNativeBackend:";
        return message.EndsWith(TraceHeading, StringComparison.Ordinal) ? message[..^TraceHeading.Length].TrimEnd() : message;
    }

    private static bool HasNvidiaDriver()
    {
        if (!OperatingSystem.IsLinux())
            return true;
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so.1", out IntPtr driver))
            return false;
        System.Runtime.InteropServices.NativeLibrary.Free(driver);
        return true;
    }
}
