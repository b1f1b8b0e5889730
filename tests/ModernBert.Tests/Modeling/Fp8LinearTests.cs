using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>
/// The FP8 mode's rounding, scales and linear layer on the CPU, against hand-computed e4m3 values and an independent
/// reference (tests/tools/fp8-linear-reference.py). The CUDA path (torch._scaled_mm with row-wise scales) needs a GPU;
/// on the CPU libtorch runs the same TorchScript call with per-tensor scales only, which is tested here.
/// </summary>
public sealed class Fp8LinearTests
{
    private const double Subnormal = 1.0 / 512; // 2^-9, e4m3's smallest subnormal

    [Fact]
    public void ARowWhoseLargestMagnitudeIs448RoundsToTheNearestE4M3ValueTiesToEven()
    {
        // (value, e4m3 value): 3 mantissa bits, so 1.0625 and 1.1875 are ties between neighbours; below 2^-6 the step is 2^-9.
        (double Value, double Expected)[] cases =
        [
            (448, 448), (1, 1), (1.0625, 1), (1.1875, 1.25), (-3.3, -3.25), (232, 224), (240, 240), (17, 16), (19, 20),
            (Subnormal, Subnormal), (Subnormal / 2, 0), (1.5 * Subnormal, 2 * Subnormal), (7.5 * Subnormal, 1.0 / 64),
            (0.4 * Subnormal, 0), (-0.6 * Subnormal, -Subnormal), (0, 0),
        ];
        using var scope = torch.NewDisposeScope();

        (Tensor values, Tensor scales) = Float8.QuantizeRows(torch.tensor(cases.Select(c => (float)c.Value).ToArray()).view(1, -1));

        Assert.Equal(Float8.E4M3, values.dtype);
        Assert.Equal(1f, scales.item<float>());
        float[] rounded = values.to_type(ScalarType.Float32).data<float>().ToArray();
        for (int i = 0; i < cases.Length; i++)
            Assert.True(rounded[i] == cases[i].Expected, $"{cases[i].Value} rounded to {rounded[i]}, expected {cases[i].Expected}");
    }

    [Fact]
    public void EachRowsLargestMagnitudeSaturatesAt448AndARowOfZerosStaysZero()
    {
        using var scope = torch.NewDisposeScope();
        Tensor rows = torch.tensor(new float[,] { { 1000, -1000, 500, 1e-3f }, { 0, 0, 0, 0 }, { 3e30f, -1e-30f, 7, 1 } });

        (Tensor values, Tensor scales) = Float8.QuantizeRows(rows);

        float[,] wide = ReferenceOutputs.ToMatrix(values.to_type(ScalarType.Float32));
        Assert.Equal([448f, -448f, 224f, 0f], Row(wide, 0));
        Assert.Equal([0f, 0f, 0f, 0f], Row(wide, 1));
        Assert.Equal([448f, 0f, 0f, 0f], Row(wide, 2));
        Assert.Equal(1000f / 448f, scales[0, 0].item<float>());
        Assert.True(float.IsFinite(scales[1, 0].item<float>()) && scales[1, 0].item<float>() > 0);
    }

    [Fact]
    public void RandomRowsOfManyMagnitudesReach448ExactlyAndNeverNaN()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        Tensor rows = torch.randn(2000, 64).mul_(torch.pow(10, torch.randint(-10, 20, [2000, 1]).to_type(ScalarType.Float32)));

        (Tensor values, _) = Float8.QuantizeRows(rows);

        Tensor wide = values.to_type(ScalarType.Float32);
        Assert.False(wide.isnan().any().item<bool>());
        Assert.True(wide.abs().amax([1]).eq(448).all().item<bool>());
    }

    [Fact]
    public void ABf16InputQuantizesAsItsFloat32Value()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        Tensor input = torch.randn(64, 96).mul_(30).to_type(ScalarType.BFloat16);

        (Tensor values, Tensor scales) = Float8.QuantizeRows(input);
        (Tensor wideValues, Tensor wideScales) = Float8.QuantizeRows(input.to_type(ScalarType.Float32));

        Assert.True(values.to_type(ScalarType.Float32).eq(wideValues.to_type(ScalarType.Float32)).all().item<bool>());
        Assert.True(scales.eq(wideScales).all().item<bool>());
    }

    [Fact]
    public async Task TheLinearLayerMatchesAnIndependentReference()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        // Rows of very different magnitudes, one of zeros: per-row scales must keep each as precise as the others.
        Tensor input = torch.randn(9, 64).mul_(torch.tensor(new float[] { 1, 1e-3f, 1e3f, 0, 5, 0.02f, 300, 1, 7 }).view(-1, 1));
        using var linear = new Fp8Linear(64, 48, hasBias: true, torch.CPU, ScalarType.Float32);
        // Quantizing releases the loaded weight: the reference gets a copy.
        (Tensor weight, Tensor bias) = (linear.get_parameter("weight")!.clone(), linear.get_parameter("bias")!);
        Fp8Linear.QuantizeAll(linear);

        Tensor output;
        using (torch.inference_mode())
            output = linear.call(input);

        double[][] expected = await ReferenceOutput(input, weight, bias);
        float[,] actual = ReferenceOutputs.ToMatrix(output);
        for (int row = 0; row < expected.Length; row++)
        {
            double magnitude = expected[row].Max(Math.Abs);
            for (int column = 0; column < expected[row].Length; column++)
                Assert.True(Math.Abs(actual[row, column] - expected[row][column]) <= 1e-5 * magnitude + 1e-6,
                    $"[{row}, {column}]: {actual[row, column]} vs reference {expected[row][column]}");
        }
    }

    [Fact]
    public void QuantizingReleasesTheLoadedWeightOnce()
    {
        using var scope = torch.NewDisposeScope();
        using var linear = new Fp8Linear(32, 16, hasBias: true, torch.CPU, ScalarType.BFloat16);
        Tensor input = torch.randn(3, 32).to_type(ScalarType.BFloat16);

        Fp8Linear.QuantizeAll(linear);
        Tensor first = linear.call(input);
        Fp8Linear.QuantizeAll(linear);
        Tensor second = linear.call(input);

        Assert.Equal(0, linear.get_parameter("weight")!.numel());
        Assert.Equal(16, linear.get_parameter("bias")!.numel());
        Assert.True(first.eq(second).all().item<bool>(), "a second QuantizeAll changed the layer");
    }

    [Fact]
    public void TheLinearLayerRunsOnlyOnceQuantized()
    {
        using var linear = new Fp8Linear(16, 16, hasBias: false, torch.CPU, ScalarType.BFloat16);
        using var input = torch.ones(2, 16, ScalarType.BFloat16);

        Assert.Throws<InvalidOperationException>(() => linear.call(input));
    }

    [Fact]
    public void TorchScaledMmThroughTorchScriptMatchesTheEmulatedProduct()
    {
        // libtorch's CPU _scaled_mm takes only per-tensor scales; the CUDA path passes row-wise ones through the same call.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        (Tensor a, _) = Float8.QuantizeRows(torch.randn(7, 32));
        (Tensor b, _) = Float8.QuantizeRows(torch.randn(24, 32));
        Tensor aScale = torch.tensor(new float[] { 0.03f }), bScale = torch.tensor(new float[] { 0.5f });

        Tensor scaled = Float8.ScaledMm(a, aScale.view(1, 1), b, bScale);
        Tensor emulated = Float8.EmulatedScaledMatmul(a, aScale.view(1, 1), b, bScale);

        Assert.Equal([7L, 24L], scaled.shape);
        Assert.Equal(ScalarType.BFloat16, scaled.dtype);
        Assert.True(torch.allclose(scaled.to_type(ScalarType.Float32), emulated, rtol: 1e-2, atol: 1e-3),
            $"max difference {(scaled.to_type(ScalarType.Float32) - emulated).abs().max().item<float>()}");
    }

    private static float[] Row(float[,] matrix, int row) => Enumerable.Range(0, matrix.GetLength(1)).Select(column => matrix[row, column]).ToArray();

    private static async Task<double[][]> ReferenceOutput(Tensor input, Tensor weight, Tensor bias)
    {
        string? python = Prerequisites.FindOnPath("python3", "/usr/bin");
        if (python is null)
            Prerequisites.Missing("python3 not found on PATH: it computes the FP8 linear layer's reference.");
        string request = JsonSerializer.Serialize(new
        {
            input = Rows(input),
            weight = Rows(weight),
            bias = bias.to_type(ScalarType.Float32).data<float>().ToArray(),
        });
        string script = Path.Combine(Fixtures.RepositoryRoot, "tests", "tools", "fp8-linear-reference.py");
        string requestFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(requestFile, request, TestContext.Current.CancellationToken);
            (int exitCode, string output, string errors) = await ProcessRun.RunAsync(python!, [script, requestFile],
                new Dictionary<string, string>(), null, TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            Assert.True(exitCode == 0, $"{script} failed: {errors}");
            return JsonNode.Parse(output)!["output"]!.AsArray()
                .Select(row => row!.AsArray().Select(value => value!.GetValue<double>()).ToArray()).ToArray();
        }
        finally
        {
            File.Delete(requestFile);
        }
    }

    private static float[][] Rows(Tensor matrix)
    {
        float[,] values = ReferenceOutputs.ToMatrix(matrix);
        return Enumerable.Range(0, values.GetLength(0)).Select(row => Row(values, row)).ToArray();
    }
}
