using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// residual + linear(input) as one matrix multiply: cuBLAS adds the residual in the GEMM's epilogue, which saves
/// the separate residual-add pass over the hidden state (about 5% of a layer's time on an H100). An
/// <see cref="Fp8Linear"/> adds it after its product.
/// </summary>
internal static class ResidualProjection
{
    public static Tensor Apply(nn.Module<Tensor, Tensor> projection, Tensor input, Tensor residual)
    {
        if (projection is not Linear linear)
            return projection.call(input).add_(residual);
        Tensor output = torch.addmm(residual, input, linear.weight!.t(), beta: 1, alpha: 1);
        return linear.bias is { } bias ? output.add_(bias) : output;
    }
}
