using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>
/// --dtype fp8 on the tiny fixture, on the CPU (the FP8 products emulated, see <see cref="Fp8Linear"/>): the mean-pooled
/// outputs of the ten reference sequences stay close to Hugging Face's fp32 ones and to our bf16 model's.
/// </summary>
public sealed class Fp8ModelTests
{
    private const double MinCosine = 0.995;

    [Fact]
    public void TheFixturesMeanPooledOutputsInFp8StayCloseToFloat32AndToBf16()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using ModernBertModel bf16 = ModelParityTests.LoadEncoder("config.json", ScalarType.BFloat16);
        using ModernBertModel fp8 = ModelParityTests.LoadEncoder("config.json", ModelDtype.Fp8);
        using var scope = torch.NewDisposeScope();

        Tensor expected = torch.stack(reference.Hidden.Select(hidden => torch.tensor(hidden).mean([0])));
        Tensor fp8Pooled = Pooled(fp8, reference.InputIds), bf16Pooled = Pooled(bf16, reference.InputIds);

        Assert.Equal(4 * fp8.Config.NumHiddenLayers, fp8.modules().OfType<Fp8Linear>().Count());
        double againstFp32 = Cosines(fp8Pooled, expected).min().item<double>();
        double againstBf16 = Cosines(fp8Pooled, bf16Pooled).min().item<double>();
        Assert.True(againstFp32 >= MinCosine, $"fp8 against fp32: min cosine {againstFp32}");
        Assert.True(againstBf16 >= MinCosine, $"fp8 against bf16: min cosine {againstBf16}");
        // The FP8 products ran: bf16 alone stays much closer to fp32.
        double bf16AgainstFp32 = Cosines(bf16Pooled, expected).min().item<double>();
        Assert.True(1 - againstFp32 > 2 * (1 - bf16AgainstFp32), $"fp8 {againstFp32} vs bf16 {bf16AgainstFp32} against fp32");
    }

    private static Tensor Pooled(ModernBertModel model, int[][] sequences)
    {
        using var inference = torch.inference_mode();
        using var batch = UnpaddedBatch.Create(sequences.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), torch.CPU);
        return SequencePooling.Pool(model.call(batch), batch, PoolingMode.Mean);
    }

    private static Tensor Cosines(Tensor a, Tensor b) =>
        nn.functional.cosine_similarity(a.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64), dim: 1);
}
