using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// A tiny ModernBertModel checkpoint with seeded random weights around a tokenizer's files: hidden size 16, so that a
/// 256k-entry vocabulary costs 16 MB, two layers, mean pooling, and windows of <see cref="MaxPositions"/> tokens, so
/// that a few sentences already make a document of several windows. The special token ids in config.json are those
/// tokenizer_config.json names, looked up in tokenizer.json, as a converted checkpoint has them.
/// </summary>
internal static class RandomModernBertCheckpoint
{
    public const int MaxPositions = 64;
    private const int Hidden = 16;
    private const int Intermediate = 32;
    private const int Layers = 2;

    /// <summary>Writes the checkpoint into <paramref name="folder"/> with the tokenizer of <paramref name="tokenizerFolder"/>.</summary>
    public static void Write(string folder, string tokenizerFolder, int vocabSize)
    {
        Directory.CreateDirectory(folder);
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(tokenizerFolder, file), Path.Combine(folder, file));
        Dictionary<string, int> specials = SpecialTokenIds(tokenizerFolder);
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("ModernBertModel"),
            ["model_type"] = "modernbert",
            ["vocab_size"] = vocabSize,
            ["hidden_size"] = Hidden,
            ["intermediate_size"] = Intermediate,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = 2,
            ["max_position_embeddings"] = MaxPositions,
            ["global_attn_every_n_layers"] = 2,
            ["local_attention"] = 16,
            ["classifier_pooling"] = "mean",
            ["cls_token_id"] = specials["cls_token"],
            ["sep_token_id"] = specials["sep_token"],
            ["pad_token_id"] = specials["pad_token"],
            ["torch_dtype"] = "float32",
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

        var random = new Random(13);
        TestTensor Random(string name, params long[] shape) =>
            TestTensor.F32(name, shape, [.. Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f)]);
        TestTensor Ones(string name) => TestTensor.F32(name, [Hidden], [.. Enumerable.Repeat(1f, Hidden)]);
        var tensors = new List<TestTensor> { Random("embeddings.tok_embeddings.weight", vocabSize, Hidden), Ones("embeddings.norm.weight") };
        for (int layer = 0; layer < Layers; layer++)
        {
            if (layer > 0)
                tensors.Add(Ones($"layers.{layer}.attn_norm.weight"));
            tensors.Add(Random($"layers.{layer}.attn.Wqkv.weight", 3 * Hidden, Hidden));
            tensors.Add(Random($"layers.{layer}.attn.Wo.weight", Hidden, Hidden));
            tensors.Add(Ones($"layers.{layer}.mlp_norm.weight"));
            tensors.Add(Random($"layers.{layer}.mlp.Wi.weight", 2 * Intermediate, Hidden));
            tensors.Add(Random($"layers.{layer}.mlp.Wo.weight", Hidden, Intermediate));
        }
        tensors.Add(Ones("final_norm.weight"));
        SafetensorsTestWriter.Write(Path.Combine(folder, "model.safetensors"), tensors);
    }

    /// <summary>The ids of the tokens tokenizer_config.json names as cls_token, sep_token and pad_token.</summary>
    public static Dictionary<string, int> SpecialTokenIds(string tokenizerFolder)
    {
        using JsonDocument tokenizer = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tokenizerFolder, "tokenizer.json")));
        Dictionary<string, int> added = tokenizer.RootElement.GetProperty("added_tokens").EnumerateArray()
            .ToDictionary(token => token.GetProperty("content").GetString()!, token => token.GetProperty("id").GetInt32());
        using JsonDocument names = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tokenizerFolder, "tokenizer_config.json")));
        return new[] { "cls_token", "sep_token", "pad_token" }.ToDictionary(key => key, key => added[names.RootElement.GetProperty(key).GetString()!]);
    }
}
