using System.Text.Json.Nodes;
using ModernBert.Modeling;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Modeling;

public sealed class ModernBertConfigTests
{
    [Fact]
    public void BothKeyLayoutsOfTheFixtureDescribeTheSameArchitecture()
    {
        string folder = Fixtures.Require("tiny-modernbert-mlm");
        ModernBertConfig legacy = ModernBertConfig.Load(Path.Combine(folder, "config.json"));
        ModernBertConfig current = ModernBertConfig.Load(Path.Combine(folder, "config.transformers5.json"));

        Assert.Equal([AttentionType.FullAttention, AttentionType.SlidingAttention, AttentionType.SlidingAttention,
            AttentionType.FullAttention, AttentionType.SlidingAttention, AttentionType.SlidingAttention], legacy.LayerTypes);
        Assert.Equal(legacy.LayerTypes, current.LayerTypes);
        foreach (ModernBertConfig config in new[] { legacy, current })
        {
            Assert.Equal((50368, 64, 96, 6, 4, 16), (config.VocabSize, config.HiddenSize, config.IntermediateSize,
                config.NumHiddenLayers, config.NumAttentionHeads, config.LocalAttention));
            Assert.Equal((160_000.0, 10_000.0), (config.GlobalRopeTheta, config.LocalRopeTheta));
            Assert.Equal(8192, config.MaxPositionEmbeddings);
            Assert.Equal(16, config.HeadDim);
        }
    }

    [Fact]
    public void LabelsComeFromId2LabelInIndexOrder()
    {
        ModernBertConfig config = ModernBertConfig.Load(Path.Combine(Fixtures.Require("tiny-modernbert-cls"), "config.json"));
        Assert.Equal(["negative", "neutral", "positive"], config.Labels);
        Assert.Equal("mean", config.ClassifierPooling);
        Assert.Equal(PoolingMode.Mean, config.ClassifierPoolingMode);
        Assert.Equal(PoolingMode.Cls, (config with { ClassifierPooling = "cls" }).ClassifierPoolingMode);
    }

    public static TheoryData<string, string, string> Rejections => new()
    {
        { "model_type", "\"bert\"", "model_type is 'bert', expected 'modernbert'" },
        { "num_attention_heads", "5", "hidden_size 64 is not divisible by num_attention_heads 5" },
        { "hidden_size", "-64", "must be positive" },
        { "local_attention", "15", "local_attention 15 must be a positive even number" },
        { "layer_types", "[\"full_attention\"]", "layer_types has 1 entries for 6 layers" },
        { "layer_types", "[\"full_attention\",\"x\",\"x\",\"x\",\"x\",\"x\"]", "layer_types[1] is 'x'" },
        { "rope_parameters", "{\"full_attention\":{\"rope_theta\":1.0,\"rope_type\":\"yarn\"}}", "rope_type 'yarn'" },
        { "hidden_activation", "\"swiglu\"", "hidden_activation 'swiglu' is not supported" },
        { "classifier_pooling", "\"max\"", "classifier_pooling 'max'" },
        { "vocab_size", "\"many\"", "'vocab_size' must be an integer" },
        { "id2label", "{\"0\":\"a\",\"5\":\"b\"}", "id2label key '5'" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void InvalidValuesAreRejectedNamingTheFile(string key, string json, string expected)
    {
        JsonObject config = FixtureConfig();
        config[key] = JsonNode.Parse(json);
        var error = Assert.Throws<ModelConfigException>(() => ModernBertConfig.Parse(config, "/models/x/config.json"));
        Assert.StartsWith("/models/x/config.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("model_type")]
    [InlineData("vocab_size")]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    public void MissingRequiredKeysAreNamed(string key)
    {
        JsonObject config = FixtureConfig();
        config.Remove(key);
        var error = Assert.Throws<ModelConfigException>(() => ModernBertConfig.Parse(config, "config.json"));
        Assert.Contains($"missing required key '{key}'", error.Message);
    }

    [Fact]
    public void UnreadableFilesAreReportedWithTheirPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"modernbert-{Guid.NewGuid():N}.json");
        Assert.Contains("no such file", Assert.Throws<ModelConfigException>(() => ModernBertConfig.Load(path)).Message);
        File.WriteAllText(path, "{ not json");
        try
        {
            var error = Assert.Throws<ModelConfigException>(() => ModernBertConfig.Load(path));
            Assert.StartsWith($"{path}: not valid JSON", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static JsonObject FixtureConfig() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Require("tiny-modernbert-mlm"), "config.json")))!;
}
