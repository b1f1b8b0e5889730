using TorchSharp;

namespace ModernBert.Tests;

public class TorchLoadTests
{
    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var a = torch.ones(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(8f, b.sum().item<float>());
    }
}
