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

    /// <summary>
    /// Queries expanded to one length make uniform batches, but their unattended [MASK]s need a key mask, so they go
    /// to the flash kernel (which hands them to SDPA); the same batch with every token attended goes to cuDNN.
    /// </summary>
    [Fact]
    public void UniformBatchesWithUnattendedTokensGoToFlashAttention()
    {
        ReadOnlyMemory<int>[] sequences = [.. Enumerable.Repeat((ReadOnlyMemory<int>)new int[32], 8)];
        using var masked = UnpaddedBatch.Create(sequences, torch.CPU, [32, 32, 32, 32, 32, 32, 32, 9]);
        using var allAttended = UnpaddedBatch.Create(sequences, torch.CPU, [.. Enumerable.Repeat(32, 8)]);

        Assert.Equal(CudnnRoute.Flash, CudnnUniformAttentionKernel.RouteOf(masked, 64, 64));
        Assert.Equal(CudnnRoute.Dense, CudnnUniformAttentionKernel.RouteOf(allAttended, 64, 64));
    }

    [Fact]
    public void OffCudaABatchWithUnattendedTokensGetsSdpasMaskedAttention()
    {
        using var scope = torch.NewDisposeScope();
        using var kernel = new CudnnUniformAttentionKernel(torch.CPU, torch.ScalarType.Float32);
        torch.manual_seed(11);
        torch.Tensor query = torch.randn(64, 2, 64), key = torch.randn(64, 2, 64), value = torch.randn(64, 2, 64);
        using var batch = UnpaddedBatch.Create([.. Enumerable.Repeat((ReadOnlyMemory<int>)new int[8], 8)], torch.CPU, [8, 8, 3, 8, 8, 8, 8, 1]);

        Assert.True(kernel.Attend(query, key, value, batch, null).allclose(new SdpaAttentionKernel().Attend(query, key, value, batch, null), rtol: 0, atol: 0));
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
