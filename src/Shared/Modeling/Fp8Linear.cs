using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// A linear layer of the FP8 mode (<see cref="ModelDtype.Fp8"/>): weight and input multiply in float8 e4m3, the weight
/// scaled per output channel, each input row per call, both so that their largest magnitude is e4m3's 448; the product
/// accumulates in float32 and comes out in the input's dtype, the bias then added (see <see cref="Float8"/>).
/// <c>weight</c> and <c>bias</c> are the checkpoint's and load as a <see cref="Linear"/>'s do; <see cref="QuantizeAll"/>
/// makes the e4m3 weight from them once the weights are final and releases the loaded weight's memory (the parameter
/// stays, empty), so that the layer holds one byte a weight, plus a scale per output channel.
/// </summary>
public sealed class Fp8Linear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private Tensor? _weightE4M3;
    private Tensor? _weightScales;

    /// <summary>Initialized as torch.nn.Linear's reset_parameters does, in <paramref name="dtype"/>.</summary>
    /// <exception cref="ModelConfigException">On CUDA, a dimension that is not a multiple of 16 (cuBLASLt's FP8 GEMM needs it).</exception>
    public Fp8Linear(long inFeatures, long outFeatures, bool hasBias, Device device, ScalarType dtype) : base(nameof(Fp8Linear))
    {
        if (device.type == DeviceType.CUDA && (inFeatures % 16 != 0 || outFeatures % 16 != 0))
            throw new ModelConfigException(
                $"--dtype fp8 needs linear layers whose sizes are multiples of 16 on CUDA, not {inFeatures} x {outFeatures}.");
        weight = new Parameter(torch.empty(outFeatures, inFeatures, dtype, device), requires_grad: false);
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (hasBias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            bias = new Parameter(torch.empty(outFeatures, dtype, device), requires_grad: false);
            nn.init.uniform_(bias, -bound, bound);
        }
        RegisterComponents();
    }

    /// <summary>Quantizes every <see cref="Fp8Linear"/> of <paramref name="module"/> not yet quantized, from its loaded weight.</summary>
    public static void QuantizeAll(nn.Module module)
    {
        // modules() lists the descendants only.
        foreach (Fp8Linear linear in module.modules().Prepend(module).OfType<Fp8Linear>())
            linear.Quantize();
    }

    public override Tensor forward(Tensor input)
    {
        if (_weightE4M3 is null || _weightScales is null)
            throw new InvalidOperationException("An Fp8Linear runs only after Fp8Linear.QuantizeAll has quantized its weight.");
        using var scope = torch.NewDisposeScope();
        (Tensor values, Tensor scales) = Float8.QuantizeRows(input);
        Tensor output = Float8.ScaledMatmul(values, scales, _weightE4M3, _weightScales, input.dtype);
        return (bias is null ? output : output.add_(bias)).MoveToOuterDisposeScope();
    }

    private void Quantize()
    {
        if (_weightE4M3 is not null)
            return;
        using (torch.no_grad())
        {
            (_weightE4M3, _weightScales) = Float8.QuantizeRows(weight);
            _weightE4M3.DetachFromDisposeScope();
            _weightScales.DetachFromDisposeScope();
            // set_ points the parameter at an empty storage, so the loaded weight's is freed.
            using Tensor empty = torch.empty(0, weight.dtype, weight.device);
            weight.set_(empty);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weightE4M3?.Dispose();
            _weightScales?.Dispose();
        }
        base.Dispose(disposing);
    }
}
