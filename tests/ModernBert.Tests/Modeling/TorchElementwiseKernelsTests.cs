using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>Both forms (the TorchScript functions CUDA runs, the eager operators the CPU runs) against the plain arithmetic.</summary>
public sealed class TorchElementwiseKernelsTests
{
    [Theory]
    [InlineData("gelu")]
    [InlineData("gelu_new")]
    [InlineData("gelu_pytorch_tanh")]
    [InlineData("silu")]
    [InlineData("relu")]
    public void GatedActivationIsTheActivationOfTheFirstHalfTimesTheSecond(string activation)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(7, 2 * 5);
        Tensor[] halves = x.chunk(2, -1);
        Tensor expected = Activations.Create(activation).call(halves[0]) * halves[1];
        Assert.True(torch.allclose(expected, TorchElementwiseKernels.Instance.GatedActivation(activation, x), rtol: 1e-6, atol: 1e-6));
        Assert.True(torch.allclose(expected, TorchElementwiseKernels.GatedActivationScripted(activation, x), rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void RotateEqualsTransformersRotateHalfForm()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(5, 2, 3, 8), angles = torch.randn(5, 1, 1, 4);
        Tensor cos = torch.cat([angles.cos(), angles.cos()], -1), sin = torch.cat([angles.sin(), angles.sin()], -1);
        Tensor rotateHalf = torch.cat([x.narrow(-1, 4, 4).neg(), x.narrow(-1, 0, 4)], -1);
        Tensor expected = x * cos + rotateHalf * sin;

        Tensor signedSin = torch.cat([angles.sin().neg(), angles.sin()], -1);
        Assert.True(torch.allclose(expected, TorchElementwiseKernels.Rotate(x, cos, signedSin), rtol: 1e-6, atol: 1e-6));
        Assert.True(torch.allclose(expected, TorchElementwiseKernels.RotateScripted(x, cos, signedSin), rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void UnknownActivationsAreRejected() =>
        Assert.Throws<ArgumentException>(() => TorchElementwiseKernels.GatedActivationScripted("swish2", torch.zeros(1, 2)));
}
