using System.Runtime.InteropServices;
using ModernBert.Inference;
using TorchSharp;

namespace ModernBert.Tests.Inference;

public sealed class TorchRuntimeTests
{
    [Theory]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("cpu", DeviceType.CPU, -1)]
    public void DevicesAreParsed(string name, DeviceType type, int index)
    {
        torch.Device device = TorchRuntime.ParseDevice(name);

        Assert.Equal((type, index), (device.type, (int)device.index));
    }

    /// <summary>Where libtorch serves no CUDA (every CPU build, and a machine without a GPU), the message says what to do there.</summary>
    [Fact]
    public void CudaThatCannotBeServedIsExplainedForTheMachine()
    {
        if (torch.cuda.is_available())
        {
            TorchRuntime.EnsureAvailable(TorchRuntime.ParseDevice("cuda"));
            return;
        }

        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.EnsureAvailable(TorchRuntime.ParseDevice("cuda")));

        Assert.DoesNotContain("Trace from LoadNativeBackend", error.Message, StringComparison.Ordinal);
        bool driver = NativeLibrary.TryLoad("libcuda.so.1", out IntPtr handle);
        if (driver)
            NativeLibrary.Free(handle);
        Assert.EndsWith(driver ? "(see README, 'GPU with the host's PyTorch')." : "run on the CPU (--device cpu), or on a machine with a GPU.",
            error.Message, StringComparison.Ordinal);
    }
}
