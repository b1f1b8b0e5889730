using ModernBert.Inference;
using static TorchSharp.torch;

namespace ModernBert.Tests.Inference;

public sealed class DeviceTransfersTests
{
    [Theory]
    [InlineData(TransferMode.Overlapped)]
    [InlineData(TransferMode.Synchronous)]
    public void TheCpuAlwaysCopiesSynchronously(TransferMode mode)
    {
        using IDeviceTransfers transfers = DeviceTransfers.Create(mode, CPU);

        Assert.IsType<SynchronousTransfers>(transfers);
    }
}
