using ModernBert.Cuda;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling.Emulation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>
/// The native kernels' C# side and their CUDA source, run on the CPU by <see cref="EmulatedKernelLauncher"/>: each
/// output is the exact result (computed in float64) rounded once to the 16-bit type.
/// </summary>
public sealed class NativeElementwiseKernelsTests
{
    public static TheoryData<ScalarType, AttentionType> RotaryCases => new()
    {
        { ScalarType.BFloat16, AttentionType.FullAttention },
        { ScalarType.BFloat16, AttentionType.SlidingAttention },
        { ScalarType.Float16, AttentionType.FullAttention },
        { ScalarType.Float16, AttentionType.SlidingAttention },
    };

    [Theory]
    [MemberData(nameof(RotaryCases))]
    public void RotaryKernelRoundsTheExactRotationOnce(ScalarType dtype, AttentionType type)
    {
        using var scope = torch.NewDisposeScope();
        ModernBertConfig config = Config(hidden: 96, heads: 3);
        using var batch = Batch(5, 1, 9);
        using var rotary = new ModernBertRotaryEmbedding(config);
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype);
        using var context = new EncoderContext(batch, new SdpaAttentionKernel(), kernels, rotary, dtype);
        Tensor qkv = torch.randn(batch.TotalTokens, 3, 3, 32, generator: Generator(1)).to(dtype);

        (Tensor query, Tensor key) = kernels.RotateQueryKey(qkv, type, context);

        Tensor expected = ExactRotation(qkv.narrow(1, 0, 2).to(ScalarType.Float64), batch.PositionIds, config.RopeTheta(type));
        Assert.Equal(new long[] { batch.TotalTokens, 3, 32 }, query.shape);
        AssertRoundedOnce(expected.select(1, 0), query, dtype);
        AssertRoundedOnce(expected.select(1, 1), key, dtype);
    }

    [Theory]
    [InlineData("gelu", ScalarType.BFloat16)]
    [InlineData("gelu", ScalarType.Float16)]
    [InlineData("gelu_new", ScalarType.BFloat16)]
    [InlineData("gelu_pytorch_tanh", ScalarType.Float16)]
    [InlineData("silu", ScalarType.BFloat16)]
    [InlineData("relu", ScalarType.Float16)]
    public void GatedKernelRoundsTheExactActivationTimesGateOnce(string activation, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype);
        Tensor x = (3 * torch.randn(2, 5, 48, generator: Generator(2))).to(dtype);

        Tensor gated = kernels.GatedActivation(activation, x);

        Tensor[] halves = x.to(ScalarType.Float64).chunk(2, -1);
        using var act = Activations.Create(activation);
        Assert.Equal(new long[] { 2, 5, 24 }, gated.shape);
        AssertRoundedOnce(act.call(halves[0]) * halves[1], gated, dtype);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, 64, false)]
    [InlineData(ScalarType.Float16, 96, true)]
    [InlineData(ScalarType.Float16, 768, false)]
    [InlineData(ScalarType.BFloat16, 1000, true)]
    [InlineData(ScalarType.BFloat16, 2048, true)]
    public void LayerNormKernelRoundsTheExactNormalizationOnce(ScalarType dtype, int width, bool bias)
    {
        using var scope = torch.NewDisposeScope();
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype);
        using LayerNorm norm = RandomLayerNorm(width, bias, dtype);
        Tensor x = (2 * torch.randn(5, 3, width, generator: Generator(5)) + 0.5).to(dtype);

        Tensor normalized = kernels.LayerNorm(x, norm);

        Tensor exact = x.to(ScalarType.Float64);
        (Tensor variance, Tensor mean) = torch.var_mean(exact, [-1], unbiased: false, keepdim: true);
        exact = (exact - mean) / (variance + norm.eps).sqrt() * norm.weight!.to(ScalarType.Float64);
        if (norm.bias is { } shift)
            exact += shift.to(ScalarType.Float64);
        Assert.Equal(x.shape, normalized.shape);
        AssertRoundedOnce(exact, normalized, dtype);
    }

    [Fact]
    public void ShapesTheKernelsDoNotTakeGoToTheTorchKernels()
    {
        using var scope = torch.NewDisposeScope();
        const ScalarType dtype = ScalarType.BFloat16;
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype);
        Tensor x = torch.randn(3, 10, generator: Generator(3)).to(dtype);
        Assert.True(torch.allclose(TorchElementwiseKernels.Instance.GatedActivation("gelu", x), kernels.GatedActivation("gelu", x), rtol: 0, atol: 0));

        ModernBertConfig config = Config(hidden: 24, heads: 3);
        using var batch = Batch(4, 2);
        using var rotary = new ModernBertRotaryEmbedding(config);
        using var context = new EncoderContext(batch, new SdpaAttentionKernel(), kernels, rotary, dtype);
        Tensor qkv = torch.randn(batch.TotalTokens, 3, 3, 8, generator: Generator(4)).to(dtype);
        (Tensor query, Tensor key) = kernels.RotateQueryKey(qkv, AttentionType.FullAttention, context);
        (Tensor expectedQuery, Tensor expectedKey) = TorchElementwiseKernels.Instance.RotateQueryKey(qkv, AttentionType.FullAttention, context);
        Assert.True(torch.allclose(expectedQuery, query, rtol: 0, atol: 0));
        Assert.True(torch.allclose(expectedKey, key, rtol: 0, atol: 0));

        foreach (int width in new[] { 12, 2056 })
        {
            using LayerNorm norm = RandomLayerNorm(width, bias: false, dtype);
            Tensor hidden = torch.randn(4, width, generator: Generator(6)).to(dtype);
            Assert.True(torch.allclose(norm.call(hidden), kernels.LayerNorm(hidden, norm), rtol: 0, atol: 0));
        }
    }

    [Fact]
    public void InputsTheKernelsWereNotCompiledForAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(ScalarType.BFloat16), ScalarType.BFloat16);
        Assert.Contains("compiled for BFloat16", Assert.Throws<ArgumentException>(() => kernels.GatedActivation("gelu", torch.zeros(2, 16, ScalarType.Float16))).Message);
        Assert.Contains("contiguous", Assert.Throws<ArgumentException>(() => kernels.GatedActivation("gelu", torch.zeros(16, 2, ScalarType.BFloat16).t())).Message);
        Tensor misaligned = torch.zeros(33, ScalarType.BFloat16).narrow(0, 1, 32).view(2, 16);
        Assert.Contains("16-byte aligned", Assert.Throws<ArgumentException>(() => kernels.GatedActivation("gelu", misaligned)).Message);
        Assert.Contains("swish2", Assert.Throws<ArgumentException>(() => kernels.GatedActivation("swish2", torch.zeros(2, 16, ScalarType.BFloat16))).Message);
        Assert.Throws<ArgumentException>(() => new NativeElementwiseKernels(EmulatedKernelLauncher.For(ScalarType.BFloat16), ScalarType.Float32));
    }

    [Fact]
    public void SequencesLongerThanThePositionTableAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        const ScalarType dtype = ScalarType.BFloat16;
        ModernBertConfig config = Config(hidden: 96, heads: 3) with { MaxPositionEmbeddings = 8 };
        using var batch = Batch(9);
        using var rotary = new ModernBertRotaryEmbedding(config);
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype);
        using var context = new EncoderContext(batch, new SdpaAttentionKernel(), kernels, rotary, dtype);
        var error = Assert.Throws<ArgumentException>(() => kernels.RotateQueryKey(torch.zeros(9, 3, 3, 32, dtype), AttentionType.FullAttention, context));
        Assert.Contains("9 tokens is longer than the model's 8 positions", error.Message);
    }

    [Fact]
    public void NativeKernelsAreOnlyForCudaInHalfPrecision()
    {
        Assert.False(NativeElementwiseKernels.Supports(torch.CPU, ScalarType.BFloat16));
        Assert.False(NativeElementwiseKernels.Supports(new Device(DeviceType.CUDA, 0), ScalarType.Float32));
        Assert.True(NativeElementwiseKernels.Supports(new Device(DeviceType.CUDA, 0), ScalarType.Float16));
        var error = Assert.Throws<ArgumentException>(() => ElementwiseKernels.Create(ElementwiseImplementation.Native, torch.CPU, ScalarType.BFloat16));
        Assert.Contains("need a CUDA device", error.Message);
        Assert.Same(TorchElementwiseKernels.Instance, ElementwiseKernels.Create(ElementwiseImplementation.Torch, torch.CPU, ScalarType.Float32));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void AutoChoosesTheTorchKernelsWhereTheNativeOnesDoNotRun(ScalarType dtype)
    {
        var logger = new RecordingLogger();

        IElementwiseKernels kernels = ElementwiseKernels.Create(ElementwiseImplementation.Auto, torch.CPU, dtype, logger);

        Assert.Same(TorchElementwiseKernels.Instance, kernels);
        Assert.Equal(ElementwiseImplementation.Torch, ElementwiseKernels.ImplementationOf(kernels));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void TheImplementationOfNativeKernelsIsNative()
    {
        var kernels = new NativeElementwiseKernels(EmulatedKernelLauncher.For(ScalarType.BFloat16), ScalarType.BFloat16);

        Assert.Equal(ElementwiseImplementation.Native, ElementwiseKernels.ImplementationOf(kernels));
    }

    [Fact]
    public void KernelArgumentsHoldNarrowValuesInTheirLowBytes()
    {
        Assert.Equal(0xFFFF_FFFFL, KernelArgument.Int32(-1).Bits);
        Assert.Equal(0x3F80_0000L, KernelArgument.Float(1.0f).Bits);
        Assert.Equal(-5L, KernelArgument.Int64(-5).Bits);
    }

    [Fact]
    public void ModelWithNativeKernelsMatchesTheModelWithTorchKernels()
    {
        using var scope = torch.NewDisposeScope();
        const ScalarType dtype = ScalarType.BFloat16;
        ModernBertConfig config = Config(hidden: 64, heads: 4) with { NumHiddenLayers = 3, IntermediateSize = 96 };
        using var batch = Batch(17, 3, 40);
        using var reference = new ModernBertModel(config, torch.CPU, dtype, new SdpaAttentionKernel(), TorchElementwiseKernels.Instance);
        using var candidate = new ModernBertModel(config, torch.CPU, dtype, new SdpaAttentionKernel(),
            new NativeElementwiseKernels(EmulatedKernelLauncher.For(dtype), dtype));
        // The same weights by copy, not by seeding torch's global generator, which tests running beside this one draw from.
        Dictionary<string, Parameter> weights = reference.named_parameters().ToDictionary(named => named.name, named => named.parameter);
        using (torch.no_grad())
        {
            foreach ((string name, Parameter weight) in reference.named_parameters())
            {
                // Random projections this small leave attention near uniform, blind to positions; sharpen it.
                if (name.EndsWith("Wqkv.weight", StringComparison.Ordinal))
                    weight.mul_(2);
            }
            foreach ((string name, Parameter weight) in candidate.named_parameters())
                weight.copy_(weights[name]);
        }
        Tensor Forward(ModernBertModel model)
        {
            model.eval();
            using var inference = torch.inference_mode();
            return model.call(batch).to(ScalarType.Float32);
        }

        Tensor expected = Forward(reference);
        Tensor actual = Forward(candidate);

        Tensor cosine = nn.functional.cosine_similarity(expected, actual, dim: -1);
        Assert.True(cosine.min().item<float>() >= 0.999f, $"token cosine {cosine.min().item<float>()}");
    }

    private static ModernBertConfig Config(int hidden, int heads) => new()
    {
        VocabSize = 64,
        HiddenSize = hidden,
        IntermediateSize = 24,
        NumHiddenLayers = 3,
        NumAttentionHeads = heads,
        LocalAttention = 16,
        MaxPositionEmbeddings = 64,
        PadTokenId = 0,
        LayerTypes = [AttentionType.FullAttention, AttentionType.SlidingAttention, AttentionType.SlidingAttention],
    };

    private static LayerNorm RandomLayerNorm(int width, bool bias, ScalarType dtype)
    {
        LayerNorm norm = nn.LayerNorm(width, 1e-5, bias: bias, dtype: dtype);
        using var noGrad = torch.no_grad();
        norm.weight!.copy_(torch.rand(width, generator: Generator(width)) + 0.5);
        norm.bias?.copy_(torch.randn(width, generator: Generator(width + 1)));
        return norm;
    }

    private static UnpaddedBatch Batch(params int[] lengths)
    {
        var random = new Random(lengths.Sum());
        return UnpaddedBatch.Create(lengths.Select(length => (ReadOnlyMemory<int>)Enumerable.Range(0, length).Select(_ => random.Next(64)).ToArray()).ToList(), torch.CPU);
    }

    private static Generator Generator(long seed) => new Generator((ulong)seed);

    /// <summary>x·cos + rotate_half(x)·sin in float64 for x [tokens, parts, heads, head_dim].</summary>
    private static Tensor ExactRotation(Tensor x, Tensor positions, double theta)
    {
        long dim = x.shape[^1];
        Tensor inverseFrequencies = torch.pow(theta, -torch.arange(0, dim, 2, ScalarType.Float64) / dim);
        Tensor angles = torch.outer(positions.to(ScalarType.Float64), inverseFrequencies);
        Tensor cos = torch.cat([angles.cos(), angles.cos()], -1).view(-1, 1, 1, dim);
        Tensor sin = torch.cat([angles.sin(), angles.sin()], -1).view(-1, 1, 1, dim);
        Tensor rotateHalf = torch.cat([x.narrow(-1, dim / 2, dim / 2).neg(), x.narrow(-1, 0, dim / 2)], -1);
        return x * cos + rotateHalf * sin;
    }

    /// <summary>Each value is within half a unit in the last place of the 16-bit type (plus float32 arithmetic) of the exact one.</summary>
    private static void AssertRoundedOnce(Tensor exact, Tensor actual, ScalarType dtype)
    {
        double halfUnit = dtype == ScalarType.BFloat16 ? Math.Pow(2, -8) : Math.Pow(2, -11);
        Tensor error = (actual.to(ScalarType.Float64) - exact).abs();
        Tensor bound = exact.abs() * halfUnit * 1.01 + 1e-4;
        Assert.True((error <= bound).all().item<bool>(),
            $"largest error beyond half a unit: {(error - bound).max().item<double>()} (dtype {dtype})");
    }
}
