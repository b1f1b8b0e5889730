using static TorchSharp.torch;

namespace ModernBert.Tests.Checkpoints;

internal static class TensorAssert
{
    /// <summary>Same dtype, same shape and bitwise-equal values.</summary>
    public static void Equal(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{name}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        using Tensor same = expected.eq(actual).all();
        Assert.True(same.item<bool>(), $"{name}: values differ");
    }
}
