using ModernBert.Checkpoints;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.Sparse;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// The sparse task against SPLADE computed here from the reference hidden states and tiny-modernbert-mlm's head
/// weights: dense, GELU, LayerNorm, the tied decoder with its bias, then log1p(relu) pooled over the tokens.
/// </summary>
public sealed class SparseTaskTests
{
    private const int Sequences = 5;
    private const double Tolerance = 1e-4;

    [Fact]
    public void APlainMaskedLmCheckpointGivesMaxPooledLog1pReluOfItsLogits()
    {
        ModelFolder folder = ModelFolder.Open(Fixtures.Require("tiny-modernbert-mlm"));
        SparseRow[] rows = Run(folder, new SparseOptions());
        Head head = Head.Load(folder.Path);
        ReferenceOutputs reference = ReferenceOutputs.Load();

        for (int k = 0; k < Sequences; k++)
        {
            double[] expected = head.Splade(reference.Hidden[k], sum: false, twice: false);
            AssertSparse(expected, rows[k], $"sequence {k}");
        }
    }

    [Fact]
    public void ASparseEncoderFolderAppliesItsSpladePoolingAndTopK()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"},
             {"idx": 1, "name": "1", "path": "1_SpladePooling", "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}]
            """)
            .Json("1_SpladePooling/config.json", """{"pooling_strategy": "sum", "activation_function": "log1p_relu", "word_embedding_dimension": 50368}""");
        SparseRow[] rows = Run(ModelFolder.Open(folder.Path), new SparseOptions(TopK: 16));
        Head head = Head.Load(folder.Path);
        ReferenceOutputs reference = ReferenceOutputs.Load();

        for (int k = 0; k < Sequences; k++)
        {
            double[] all = head.Splade(reference.Hidden[k], sum: true, twice: true);
            int[] top = [.. Enumerable.Range(0, all.Length).Where(id => all[id] > 0).OrderByDescending(id => all[id]).Take(16).Order()];
            Assert.Equal(top, rows[k].Indices);
            AssertClose([.. top.Select(id => all[id])], rows[k].Values, $"sequence {k}");
        }
    }

    [Fact]
    public void AnEmbeddingCheckpointIsNotASparseOne()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """[{"path": "", "type": "sentence_transformers.models.Transformer"}]""");

        var error = Assert.Throws<ModelConfigException>(() => Run(ModelFolder.Open(folder.Path), new SparseOptions()));

        Assert.Contains("has no SpladePooling module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASequenceClassifierIsNotASparseOne()
    {
        string model = Fixtures.Require("tiny-modernbert-cls");

        var error = Assert.Throws<ModelConfigException>(() => SparseTask.Instance.Configure(new SparseOptions()).ForModel(ModelFolder.Open(model)));

        Assert.Equal($"{Path.Combine(model, "config.json")} names architectures [ModernBertForSequenceClassification], not ModernBertForMaskedLM: " +
            "sparse needs the masked-LM head.", error.Message);
    }

    private static SparseRow[] Run(ModelFolder folder, SparseOptions options)
    {
        ConfiguredTask task = SparseTask.Instance.Configure(options).ForModel(folder);
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using IInferenceModel model = task.Load(folder, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(Sequences).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        return [.. model.Start(chunks).Complete().Cast<SparseRow>()];
    }

    private static void AssertSparse(double[] expected, SparseRow row, string what)
    {
        Assert.Equal(row.Indices.Order(), row.Indices);
        var actual = new double[expected.Length];
        for (int i = 0; i < row.Indices.Length; i++)
            actual[row.Indices[i]] = row.Values[i];
        Assert.All(row.Values, value => Assert.True(value > 0));
        double error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(error <= Tolerance, $"{what}: max abs error {error:E2}");
        Assert.True(row.Indices.Length > 100, $"{what}: only {row.Indices.Length} non-zero weights");
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        double error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(error <= Tolerance, $"{what}: max abs error {error:E2}");
    }

    /// <summary>ModernBertForMaskedLM's head and tied decoder, as plain arrays (transformers' modeling_modernbert.py).</summary>
    private sealed record Head(float[,] Dense, float[] Norm, float[,] Embeddings, float[] Bias)
    {
        public static Head Load(string folder)
        {
            using var scope = torch.NewDisposeScope();
            using SafetensorsFile file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
            return new Head(ReferenceOutputs.ToMatrix(file.Read("head.dense.weight")), file.Read("head.norm.weight").data<float>().ToArray(),
                ReferenceOutputs.ToMatrix(file.Read("model.embeddings.tok_embeddings.weight")), file.Read("decoder.bias").data<float>().ToArray());
        }

        /// <summary>SpladePooling over the sequence's tokens: log1p(relu(logits)) (log1p once more when twice), max or sum.</summary>
        public double[] Splade(float[,] hidden, bool sum, bool twice)
        {
            int vocabulary = Bias.Length;
            var pooled = new double[vocabulary];
            for (int t = 0; t < hidden.GetLength(0); t++)
            {
                double[] headed = Transform(hidden, t);
                for (int v = 0; v < vocabulary; v++)
                {
                    double logit = Bias[v];
                    for (int j = 0; j < headed.Length; j++)
                        logit += Embeddings[v, j] * headed[j];
                    double weight = Math.Log(1 + Math.Max(logit, 0));
                    if (twice)
                        weight = Math.Log(1 + weight);
                    pooled[v] = sum ? pooled[v] + weight : Math.Max(pooled[v], weight);
                }
            }
            return pooled;
        }

        /// <summary>dense (no bias: classifier_bias false), exact GELU, LayerNorm (eps 1e-5, no bias).</summary>
        private double[] Transform(float[,] hidden, int token)
        {
            int width = Norm.Length;
            var activated = new double[width];
            for (int i = 0; i < width; i++)
            {
                double x = 0;
                for (int j = 0; j < width; j++)
                    x += Dense[i, j] * hidden[token, j];
                activated[i] = 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));
            }
            double mean = activated.Average();
            double variance = activated.Select(x => (x - mean) * (x - mean)).Average();
            return [.. activated.Select((x, i) => (x - mean) / Math.Sqrt(variance + 1e-5) * Norm[i])];
        }

        /// <summary>erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
        private static double Erf(double x)
        {
            double t = 1 / (1 + 0.3275911 * Math.Abs(x));
            double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
            return Math.Sign(x) * y;
        }
    }
}
