using ModernBert.Modeling;
using TorchSharp;

namespace ModernBert.Tests.Modeling;

/// <summary>The CUDA kernel runs on the device scripts; here, what can be checked without a GPU.</summary>
public sealed class FlashVarlenAttentionKernelTests
{
    [Fact]
    public void ItsTorchScriptCompiles()
    {
        using var kernel = new FlashVarlenAttentionKernel();
    }

    [Theory]
    [InlineData(DeviceType.CUDA, torch.ScalarType.BFloat16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float32, false)]
    [InlineData(DeviceType.CPU, torch.ScalarType.BFloat16, false)]
    public void ItIsChosenOnlyForCudaHalfPrecision(DeviceType device, torch.ScalarType dtype, bool supported) =>
        Assert.Equal(supported, FlashVarlenAttentionKernel.Supports(new torch.Device(device), dtype));
}
