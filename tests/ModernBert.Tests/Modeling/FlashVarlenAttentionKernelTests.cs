using System.Runtime.InteropServices;
using ModernBert.Modeling;
using TorchSharp;

namespace ModernBert.Tests.Modeling;

/// <summary>The CUDA kernel runs on the device scripts; here, what can be checked without a GPU.</summary>
public sealed class FlashVarlenAttentionKernelTests
{
    [Fact]
    public void ItsTorchScriptCompilesAndReachesFlashAttentionsOperator_WhichHasNoCpuKernel()
    {
        using var kernel = new FlashVarlenAttentionKernel();
        using var batch = UnpaddedBatch.Create([new int[3], new int[2]], torch.CPU);
        using var query = torch.zeros(5, 2, 64, torch.ScalarType.BFloat16);

        // The script parses, its function takes these arguments, and the call gets as far as libtorch's dispatch of
        // the FlashAttention-2 operator, which only CUDA implements.
        var error = Assert.Throws<ExternalException>(() => kernel.Attend(query, query, query, batch, window: 64));
        Assert.Contains("Could not run 'aten::_flash_attention_forward' with arguments from the 'CPU' backend", error.Message);
    }

    [Theory]
    [InlineData(DeviceType.CUDA, torch.ScalarType.BFloat16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float32, false)]
    [InlineData(DeviceType.CPU, torch.ScalarType.BFloat16, false)]
    public void ItIsChosenOnlyForCudaHalfPrecision(DeviceType device, torch.ScalarType dtype, bool supported) =>
        Assert.Equal(supported, FlashVarlenAttentionKernel.Supports(new torch.Device(device), dtype));
}
