using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// float8 e4m3 (libtorch's Float8_e4m3fn: 4 exponent bits, 3 mantissa bits, no infinities, largest finite 448, smallest
/// subnormal 2^-9) and the scaled matrix product of the FP8 mode. TorchSharp 0.107 names no float8 dtype (its ScalarType
/// enum stops at BFloat16 = 15) and binds no torch._scaled_mm, but its casts hand the dtype code to libtorch unchanged,
/// and its TorchScript compiler reaches every aten operator: libtorch does the rounding (to nearest, ties to even) and,
/// on CUDA, the FP8 GEMM.
/// </summary>
internal static class Float8
{
    /// <summary>c10::ScalarType::Float8_e4m3fn.</summary>
    public const ScalarType E4M3 = (ScalarType)24;

    public const float E4M3Max = 448;

    // The smallest amax a scale is made from, so that a row of zeros quantizes to zeros instead of NaN: float8_experimental's
    // EPS (float8_utils.py, now torchao.float8). A row whose magnitudes all lie below it does not reach 448.
    private const float MinAmax = 1e-12f;

    // The output dtype as its c10 code (15, bfloat16): TorchScript compiled from C++ does not resolve torch.bfloat16
    // ("builtin cannot be used as a value"). torch._scaled_mm with row-wise scales requires a bfloat16 output.
    private static readonly Lazy<jit.CompilationUnit> ScaledMmScript = new(() => jit.compile(
        "def scaled_mm(a: Tensor, b: Tensor, scale_a: Tensor, scale_b: Tensor) -> Tensor:\n" +
        "    return torch._scaled_mm(a, b, scale_a=scale_a, scale_b=scale_b, out_dtype=15)\n"));

    /// <summary>
    /// Each row of <paramref name="input"/> divided by its scale, amax / 448, and rounded to e4m3; the scales [rows, 1]
    /// in float32, so that values * scales approximates the input.
    /// </summary>
    public static (Tensor Values, Tensor Scales) QuantizeRows(Tensor input)
    {
        using var scope = NewDisposeScope();
        // abs and amax are exact in the input's dtype; the division promotes a bf16 input to float32 as it reads it.
        using Scalar minAmax = MinAmax, largest = E4M3Max, smallest = -E4M3Max;
        Tensor scales = input.abs().amax([-1], keepdim: true).to_type(ScalarType.Float32).clamp_min_(minAmax).div_(largest);
        // A quotient that division rounds just past 448 stays finite: libtorch casts magnitudes beyond 464 to NaN.
        Tensor values = input.div(scales).clamp_(smallest, largest).to_type(E4M3);
        return (values.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// (a · bᵀ) scaled by each row's scale of a and of b: a [m, k] and b [n, k] in e4m3, their scales [m, 1] and
    /// [n, 1] in float32; the sum accumulates in float32. On CUDA torch._scaled_mm (cuBLASLt's FP8 GEMM, which needs
    /// Ada or Hopper, k and n multiples of 16) with a bfloat16 output; elsewhere the same products emulated in float32.
    /// </summary>
    public static Tensor ScaledMatmul(Tensor a, Tensor aScales, Tensor b, Tensor bScales, ScalarType outputDtype)
    {
        using var scope = NewDisposeScope();
        Tensor output = a.device.type == DeviceType.CUDA
            ? ScaledMm(a, aScales, b, bScales).to_type(outputDtype)
            : EmulatedScaledMatmul(a, aScales, b, bScales).to_type(outputDtype);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torch._scaled_mm: bfloat16 [m, n]. cuBLASLt wants a row-major and b column-major: b [n, k] contiguous is passed
    /// transposed; a quantized from a strided view may come strided, and is made contiguous (a no-op otherwise).
    /// </summary>
    internal static Tensor ScaledMm(Tensor a, Tensor aScales, Tensor b, Tensor bScales) =>
        ScaledMmScript.Value.invoke<Tensor>("scaled_mm", a.contiguous(), b.contiguous().t(), aScales.contiguous(), bScales.reshape(1, -1).contiguous());

    /// <summary>Every e4m3 value and every product of two is exact in float32, so only the sum's order differs from the GPU's.</summary>
    internal static Tensor EmulatedScaledMatmul(Tensor a, Tensor aScales, Tensor b, Tensor bScales) =>
        a.to_type(ScalarType.Float32).mm(b.to_type(ScalarType.Float32).t()).mul_(aScales).mul_(bScales.view(1, -1));
}
