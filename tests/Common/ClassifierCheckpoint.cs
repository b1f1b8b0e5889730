using ModernBert.Checkpoints;
using ModernBert.Modeling;

namespace ModernBert.Tests.Common;

/// <summary>The classifier a <see cref="ClassifierCheckpoint"/> got: weight [labels, hidden] and bias [labels].</summary>
internal sealed record ClassifierWeights(float[,] Weight, float[] Bias);

/// <summary>
/// A classification checkpoint written by a test into a real folder: tiny-modernbert-mlm's encoder and prediction head
/// (head.dense, head.norm: the same ModernBertPredictionHead the classification heads have) plus a random classifier
/// in a second shard, with an index, config.json naming the architecture and labels, and the fixture's tokenizer.
/// </summary>
internal static class ClassifierCheckpoint
{
    /// <param name="architecture">ModernBertForSequenceClassification or ModernBertForTokenClassification.</param>
    /// <param name="configure">Changes to the fixture's config beyond the labels and architecture (pooling, window length).</param>
    public static ClassifierWeights Write(string folder, string architecture, IReadOnlyList<string> labels, int seed,
        Func<ModernBertConfig, ModernBertConfig>? configure = null)
    {
        string mlm = Fixtures.Require("tiny-modernbert-mlm");
        ModernBertConfig config = ModernBertConfig.Load(Path.Combine(mlm, "config.json")) with { Labels = labels, Architectures = [architecture] };
        config = configure?.Invoke(config) ?? config;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson().ToJsonString());
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.CreateSymbolicLink(Path.Combine(folder, file), Path.Combine(mlm, file));
        const string encoderShard = "model-00001-of-00002.safetensors", classifierShard = "model-00002-of-00002.safetensors";
        File.CreateSymbolicLink(Path.Combine(folder, encoderShard), Path.Combine(mlm, "model.safetensors"));

        var random = new Random(seed);
        float[] weight = [.. Enumerable.Range(0, labels.Count * config.HiddenSize).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] bias = [.. Enumerable.Range(0, labels.Count).Select(_ => (float)(random.NextDouble() - 0.5))];
        SafetensorsTestWriter.Write(Path.Combine(folder, classifierShard),
        [
            TestTensor.F32("classifier.weight", [labels.Count, config.HiddenSize], weight),
            TestTensor.F32("classifier.bias", [labels.Count], bias),
        ]);
        using (SafetensorsFile encoder = SafetensorsFile.Open(Path.Combine(mlm, "model.safetensors")))
        {
            Dictionary<string, string> shards = encoder.Tensors.Keys.ToDictionary(key => key, _ => encoderShard);
            shards["classifier.weight"] = shards["classifier.bias"] = classifierShard;
            SafetensorsTestWriter.WriteIndex(folder, shards);
        }
        var matrix = new float[labels.Count, config.HiddenSize];
        Buffer.BlockCopy(weight, 0, matrix, 0, weight.Length * sizeof(float));
        return new ClassifierWeights(matrix, bias);
    }
}
