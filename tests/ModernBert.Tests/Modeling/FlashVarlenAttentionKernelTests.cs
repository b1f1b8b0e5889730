using System.Runtime.InteropServices;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

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

    /// <summary>
    /// FlashAttention-2 has no key mask, so a batch with unattended tokens goes to SDPA's masked attention: off CUDA,
    /// where the flash operator throws, such a batch gets SDPA's output, and a batch whose tokens are all attended
    /// (a document batch) still reaches the flash operator.
    /// </summary>
    [Fact]
    public void ABatchWithUnattendedTokensGoesToMaskedSdpa_AndOneWithoutStaysOnFlashAttention()
    {
        using var scope = torch.NewDisposeScope();
        using var kernel = new FlashVarlenAttentionKernel();
        torch.manual_seed(7);
        Tensor query = torch.randn(20, 2, 64), key = torch.randn(20, 2, 64), value = torch.randn(20, 2, 64);
        ReadOnlyMemory<int>[] sequences = [new int[12], new int[8]];
        using var masked = UnpaddedBatch.Create(sequences, torch.CPU, [5, 8]);
        using var unmasked = UnpaddedBatch.Create(sequences, torch.CPU);
        using var allAttended = UnpaddedBatch.Create(sequences, torch.CPU, [12, 8]);

        Tensor actual = kernel.Attend(query, key, value, masked, window: 4);

        Assert.True(actual.allclose(new SdpaAttentionKernel().Attend(query, key, value, masked, window: 4), rtol: 0, atol: 0));
        Assert.False(actual.allclose(new SdpaAttentionKernel().Attend(query, key, value, unmasked, window: 4)));
        var error = Assert.Throws<ExternalException>(() => kernel.Attend(query, key, value, allAttended, window: 4));
        Assert.Contains("aten::_flash_attention_forward", error.Message);
    }

    [Theory]
    [InlineData(DeviceType.CUDA, torch.ScalarType.BFloat16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float16, true)]
    [InlineData(DeviceType.CUDA, torch.ScalarType.Float32, false)]
    [InlineData(DeviceType.CPU, torch.ScalarType.BFloat16, false)]
    public void ItIsChosenOnlyForCudaHalfPrecision(DeviceType device, torch.ScalarType dtype, bool supported) =>
        Assert.Equal(supported, FlashVarlenAttentionKernel.Supports(new torch.Device(device), dtype));
}
