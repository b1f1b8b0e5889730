using ModernBert.Checkpoints;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.TokenClassify;
using ModernBert.Tests.Checkpoints;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// A token classification checkpoint written by the test: tiny-modernbert-mlm's encoder and prediction head plus a
/// random classifier, in a real folder (config.json naming ModernBertForTokenClassification, sharded safetensors with
/// an index). Its per-token scores are held to an independent computation from the fixture's reference hidden states.
/// </summary>
public sealed class TokenClassificationModelTests : IDisposable
{
    private static readonly string[] Labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void EveryDecidedTokensLabelAndScoreEqualTheHeadComputedFromTheReferenceHiddenStates()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        (float[,] classifierWeight, float[] classifierBias) = WriteCheckpoint();
        ConfiguredTask task = TokenClassifyTask.Instance.Configure(new TokenClassifyOptions(AggregationStrategy.None, []));
        using IInferenceModel model = task.Load(ModelFolder.Open(_folder.Path), new InferenceSettings(torch.CPU, ScalarType.Float32), null,
            TestContext.Current.CancellationToken);
        int[] sequences = [1, 3, 5, 7];
        DocumentChunk[] chunks = [.. sequences.Select(k => Chunk($"seq{k}", reference.InputIds[k]))];

        using IPendingRows pending = model.Start(chunks);
        TokenClassificationRow[] rows = [.. pending.Complete().Cast<TokenClassificationRow>()];

        Head head = Head.Read(Fixtures.Require("tiny-modernbert-mlm"));
        for (int s = 0; s < sequences.Length; s++)
        {
            float[,] hidden = reference.Hidden[sequences[s]];
            Entity[] entities = rows[s].Entities;
            Assert.Equal(hidden.GetLength(0) - 2, entities.Length);
            for (int t = 1; t < hidden.GetLength(0) - 1; t++)
            {
                double[] logits = head.Logits(hidden, t, classifierWeight, classifierBias);
                double[] scores = Softmax(logits);
                int top = Array.IndexOf(scores, scores.Max());
                Entity entity = entities[t - 1];
                Assert.Equal((Labels[top], t, t + 1), (entity.Label, entity.Start, entity.End));
                Assert.True(Math.Abs(scores[top] - entity.Score) <= 1e-4, $"sequence {sequences[s]} token {t}: {entity.Score} vs {scores[top]}");
            }
        }
    }

    [Fact]
    public void ClassifyRefusesATokenClassificationCheckpoint()
    {
        WriteCheckpoint();

        var error = Assert.Throws<ModelConfigException>(() => InferenceTasks.Configure("classify", null)
            .Load(ModelFolder.Open(_folder.Path), new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken));

        Assert.Contains("--task token-classify", error.Message);
    }

    /// <summary>Token t spans characters [t, t + 1) of a pretend text; every token but [CLS] and [SEP] is decided.</summary>
    private static DocumentChunk Chunk(string id, int[] ids) => new(id, 0, 0, ids.Length - 2, ids)
    {
        Alignment = new TokenAlignment([.. Enumerable.Range(0, ids.Length).SelectMany(t => new[] { t, t + 1 })], new bool[ids.Length], 1, ids.Length - 1),
    };

    private (float[,] Weight, float[] Bias) WriteCheckpoint()
    {
        string mlm = Fixtures.Require("tiny-modernbert-mlm");
        ModernBertConfig config = ModernBertConfig.Load(Path.Combine(mlm, "config.json")) with
        {
            Labels = Labels,
            Architectures = ["ModernBertForTokenClassification"],
        };
        File.WriteAllText(Path.Combine(_folder.Path, "config.json"), config.ToJson().ToJsonString());
        File.Copy(Path.Combine(mlm, "model.safetensors"), Path.Combine(_folder.Path, "model-00001-of-00002.safetensors"));
        var random = new Random(15);
        float[] weight = [.. Enumerable.Range(0, Labels.Length * config.HiddenSize).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] bias = [.. Enumerable.Range(0, Labels.Length).Select(_ => (float)(random.NextDouble() - 0.5))];
        SafetensorsTestWriter.Write(Path.Combine(_folder.Path, "model-00002-of-00002.safetensors"),
        [
            TestTensor.F32("classifier.weight", [Labels.Length, config.HiddenSize], weight),
            TestTensor.F32("classifier.bias", [Labels.Length], bias),
        ]);
        using (SafetensorsFile encoder = SafetensorsFile.Open(Path.Combine(mlm, "model.safetensors")))
        {
            Dictionary<string, string> shards = encoder.Tensors.Keys.ToDictionary(key => key, _ => "model-00001-of-00002.safetensors");
            shards["classifier.weight"] = shards["classifier.bias"] = "model-00002-of-00002.safetensors";
            SafetensorsTestWriter.WriteIndex(_folder.Path, shards);
        }
        var matrix = new float[Labels.Length, config.HiddenSize];
        Buffer.BlockCopy(weight, 0, matrix, 0, weight.Length * sizeof(float));
        return (matrix, bias);
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double sum = logits.Sum(logit => Math.Exp(logit - max));
        return [.. logits.Select(logit => Math.Exp(logit - max) / sum)];
    }

    /// <summary>The prediction head's weights as read from the checkpoint, and the head computed in double precision.</summary>
    private sealed record Head(float[,] Dense, float[] Norm, double Eps)
    {
        public static Head Read(string folder)
        {
            using var scope = torch.NewDisposeScope();
            using SafetensorsFile file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
            float[] norm = file.Read("head.norm.weight").to(ScalarType.Float32).data<float>().ToArray();
            return new Head(ReferenceOutputs.ToMatrix(file.Read("head.dense.weight")), norm,
                ModernBertConfig.Load(Path.Combine(folder, "config.json")).NormEps);
        }

        /// <summary>classifier(norm(gelu(dense(h)))) for token t: dense without bias, exact GELU, LayerNorm without bias.</summary>
        public double[] Logits(float[,] hidden, int t, float[,] weight, float[] bias)
        {
            int size = Norm.Length;
            var x = new double[size];
            for (int o = 0; o < size; o++)
            {
                double sum = 0;
                for (int i = 0; i < size; i++)
                    sum += Dense[o, i] * (double)hidden[t, i];
                x[o] = 0.5 * sum * (1 + Erf(sum / Math.Sqrt(2)));
            }
            double mean = x.Average();
            double variance = x.Select(v => (v - mean) * (v - mean)).Average();
            double[] normed = [.. x.Select((v, i) => (v - mean) / Math.Sqrt(variance + Eps) * Norm[i])];
            return [.. Enumerable.Range(0, bias.Length).Select(l => bias[l] + Enumerable.Range(0, size).Sum(i => weight[l, i] * normed[i]))];
        }

        /// <summary>erf(x) = 2/sqrt(pi) * integral of exp(-u^2) from 0 to x, by Simpson's rule on 2000 intervals (error far below 1e-9).</summary>
        private static double Erf(double x)
        {
            const int intervals = 2000;
            double h = x / intervals, sum = 1 + Math.Exp(-x * x);
            for (int i = 1; i < intervals; i++)
                sum += (i % 2 == 1 ? 4 : 2) * Math.Exp(-(i * h) * (i * h));
            return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
        }
    }
}
