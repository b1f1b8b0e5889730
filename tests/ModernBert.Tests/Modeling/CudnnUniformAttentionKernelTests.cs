using ModernBert.Modeling;
using TorchSharp;

namespace ModernBert.Tests.Modeling;

/// <summary>cuDNN's attention runs on the device scripts; here, what can be checked without a GPU.</summary>
public sealed class CudnnUniformAttentionKernelTests
{
    [Fact]
    public void ItsTorchScriptCompiles_AndOffCudaItsProbeSendsEveryBatchToFlashAttention()
    {
        using var kernel = new CudnnUniformAttentionKernel(torch.CPU, torch.ScalarType.BFloat16);

        Assert.False(kernel.CudnnRuns);
    }

    [Theory]
    [InlineData(8, 512, 64, null, CudnnRoute.Dense)]
    [InlineData(8, 8192, 64, null, CudnnRoute.Dense)]
    [InlineData(8, 512, 64, 64, CudnnRoute.Band)]
    [InlineData(8, 65, 64, 64, CudnnRoute.Dense)]
    [InlineData(8, 513, 64, 64, CudnnRoute.Flash)]
    [InlineData(7, 512, 64, null, CudnnRoute.Flash)]
    [InlineData(8, 512, 160, null, CudnnRoute.Flash)]
    [InlineData(8, 512, 60, null, CudnnRoute.Flash)]
    public void BatchesOfOneLengthGoToCudnn_WithABandMaskOnlyUpTo512Tokens(int sequences, int length, long headDim, int? window, CudnnRoute route)
    {
        using var batch = UnpaddedBatch.Create(Enumerable.Repeat((ReadOnlyMemory<int>)new int[length], sequences).ToArray(), torch.CPU);

        Assert.Equal(route, CudnnUniformAttentionKernel.RouteOf(batch, headDim, window));
    }

    [Fact]
    public void BatchesOfSeveralLengthsGoToFlashAttention()
    {
        ReadOnlyMemory<int>[] sequences = [.. Enumerable.Repeat((ReadOnlyMemory<int>)new int[512], 15), new int[511]];
        using var batch = UnpaddedBatch.Create(sequences, torch.CPU);

        Assert.Equal(CudnnRoute.Flash, CudnnUniformAttentionKernel.RouteOf(batch, 64, null));
    }

    [Fact]
    public void TheBandMaskLetsThroughPairsWithinTheWindow_AndOutlivesTheForwardThatMadeIt()
    {
        torch.Tensor mask;
        using (torch.NewDisposeScope())
            mask = CudnnUniformAttentionKernel.MakeBandMask(6, 2, torch.ScalarType.BFloat16, torch.CPU);

        using (mask)
        {
            Assert.Equal(new long[] { 1, 1, 6, 6 }, mask.shape);
            float[] values = mask.to(torch.ScalarType.Float32).data<float>().ToArray();
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                    Assert.Equal(Math.Abs(i - j) <= 2 ? 0f : float.NegativeInfinity, values[i * 6 + j]);
        }
    }
}
