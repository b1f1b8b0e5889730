using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tasks;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>The quantized precisions against sentence-transformers' quantize_embeddings formulas (sentence_transformers/quantization.py).</summary>
public sealed class EmbeddingQuantizationTests
{
    private static readonly float[][] Ranges = [[-1f, 0f, 2f, -0.5f], [1f, 10f, 2f, 0.5f]];

    [Fact]
    public void Int8AndUInt8TruncateEachDimensionsStepsAndClampOutsideTheRange()
    {
        float[] embedding = [0.3f, 7.7f, 2f, 0.9f];

        int[] uint8 = new EmbeddingQuantizer(EmbeddingPrecision.UInt8, 4, Ranges).Quantize(embedding);
        int[] int8 = new EmbeddingQuantizer(EmbeddingPrecision.Int8, 4, Ranges).Quantize(embedding);

        // ((x - start) / ((max - min) / 255)): 1.3 / (2 / 255) = 165.75; 7.7 / (10 / 255) = 196.35; an empty range is 0;
        // 1.4 / (1 / 255) = 357 is past 255 and clamped.
        Assert.Equal([165, 196, 0, 255], uint8);
        Assert.Equal([165 - 128, 196 - 128, -128, 127], int8);
        // 0.3 / (2 / 255) - 128 = -89.75, truncated toward zero as numpy's astype(np.int8) does.
        Assert.Equal([-89], new EmbeddingQuantizer(EmbeddingPrecision.Int8, 1, [[-1f], [1f]]).Quantize([-0.7f]));
    }

    [Fact]
    public void BinaryPacksSignsBigEndianEightToAByte()
    {
        float[] embedding = [1f, -1f, 0f, 2f, 0.1f, -3f, -0.2f, 5f, 0.5f, -1f];

        int[] ubinary = new EmbeddingQuantizer(EmbeddingPrecision.UBinary, 10, null).Quantize(embedding);
        int[] binary = new EmbeddingQuantizer(EmbeddingPrecision.Binary, 10, null).Quantize(embedding);

        // np.packbits([1,0,0,1,1,0,0,1, 1,0]) = [0b10011001, 0b10000000].
        Assert.Equal([0b1001_1001, 0b1000_0000], ubinary);
        Assert.Equal([0b1001_1001 - 128, 0b1000_0000 - 128], binary);
    }

    [Fact]
    public void AnInt8RunQuantizesTheModelsEmbeddingsWithTheCalibratedRanges()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        ModelFolder folder = ModelFolder.Open(Fixtures.Require("tiny-modernbert-mlm"));
        DocumentChunk[] chunks = [.. reference.InputIds.Take(8).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        float[][] means = [.. reference.Hidden.Take(8).Select(ReferenceEmbeddings.Mean)];
        ConfiguredTask task = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean, Precision: EmbeddingPrecision.Int8)).ForModel(folder);
        var settings = new InferenceSettings(torch.CPU, ScalarType.Float32);

        ConfiguredTask calibrated;
        using (IInferenceModel calibration = task.CalibrationTask!.Load(folder, settings, null, TestContext.Current.CancellationToken))
            calibrated = task.Calibrated(calibration.Start(chunks).Complete());
        using IInferenceModel model = calibrated.Load(folder, settings, null, TestContext.Current.CancellationToken);
        IReadOnlyList<ResultRow> rows = model.Start(chunks).Complete();

        Assert.Null(calibrated.CalibrationTask);
        Assert.Contains("\"ranges\":[[", calibrated.OptionsJson, StringComparison.Ordinal);
        for (int k = 0; k < chunks.Length; k++)
        {
            int[] expected = [.. Enumerable.Range(0, 64).Select(d =>
            {
                float min = means.Min(mean => mean[d]), step = (means.Max(mean => mean[d]) - min) / 255f;
                return (int)MathF.Truncate((means[k][d] - min) / step - 128f);
            })];
            int[] actual = Assert.IsType<QuantizedEmbeddingRow>(rows[k]).Embedding;
            // The model's float32 values differ from the reference's by up to 1e-4, which can move a value across a step.
            Assert.All(expected.Zip(actual), pair => Assert.InRange(pair.Second, pair.First - 1, pair.First + 1));
            Assert.True(expected.Zip(actual).Count(pair => pair.First == pair.Second) >= 60);
        }
    }

    [Fact]
    public void Int8WithoutRangesIsAnErrorSayingWhereTheyComeFrom()
    {
        ModelFolder folder = ModelFolder.Open(Fixtures.Require("tiny-modernbert-mlm"));

        var error = Assert.Throws<ConfigurationException>(() => EmbedTask.Instance.Configure(new EmbedOptions(Precision: EmbeddingPrecision.UInt8))
            .Load(folder, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken));

        Assert.Contains("--calibration", error.Message, StringComparison.Ordinal);
    }
}
