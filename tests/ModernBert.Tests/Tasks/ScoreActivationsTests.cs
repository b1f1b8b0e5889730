using System.Text.Json.Nodes;
using ModernBert.Modeling;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Tasks;

public sealed class ScoreActivationsTests
{
    [Theory]
    [InlineData("""{"sentence_transformers": {"activation_fn": "torch.nn.modules.linear.Identity", "version": "4.1.0"}}""", 1, null, ScoreActivation.None)]
    [InlineData("""{"sbert_ce_default_activation_function": "torch.nn.modules.linear.Identity"}""", 1, null, ScoreActivation.None)]
    [InlineData("""{"sentence_transformers": {"activation_fn": "torch.nn.modules.activation.Sigmoid"}, "sbert_ce_default_activation_function": "torch.nn.modules.linear.Identity"}""", 1, null, ScoreActivation.Sigmoid)]
    [InlineData("{}", 1, null, ScoreActivation.Sigmoid)]
    [InlineData("{}", 3, null, ScoreActivation.Softmax)]
    [InlineData("""{"problem_type": "multi_label_classification"}""", 3, null, ScoreActivation.Sigmoid)]
    [InlineData("""{"problem_type": "regression"}""", 1, null, ScoreActivation.None)]
    [InlineData("""{"sbert_ce_default_activation_function": "torch.nn.modules.linear.Identity"}""", 1, "sigmoid", ScoreActivation.Sigmoid)]
    public void TheActivationIsTheRequestedOneElseTheSavedCrossEncodersElseThePipelinesDefault(string extra, int labels, string? requested,
        ScoreActivation expected)
    {
        ModernBertConfig config = Config(extra, labels);

        ScoreActivation? given = requested is null ? null : Enum.Parse<ScoreActivation>(requested, ignoreCase: true);
        Assert.Equal(expected, ScoreActivations.Resolve(config, given, "config.json"));
    }

    [Fact]
    public void AnUnknownSavedActivationIsRefusedNamingIt()
    {
        ModernBertConfig config = Config("""{"sbert_ce_default_activation_function": "torch.nn.modules.activation.Tanh"}""", 1);

        var error = Assert.Throws<ModelConfigException>(() => ScoreActivations.Resolve(config, null, "m/config.json"));

        Assert.Contains("m/config.json", error.Message);
        Assert.Contains("torch.nn.modules.activation.Tanh", error.Message);
    }

    [Fact]
    public void ScoresAreTheLogitsThroughTheActivation()
    {
        float[] logits = [2f, -1f, 0.5f];
        double sum = Math.Exp(2) + Math.Exp(-1) + Math.Exp(0.5);

        Assert.Equal(logits, ScoreActivations.Apply(ScoreActivation.None, logits));
        Assert.Equal([(float)(1 / (1 + Math.Exp(-2))), (float)(1 / (1 + Math.Exp(1))), (float)(1 / (1 + Math.Exp(-0.5)))],
            ScoreActivations.Apply(ScoreActivation.Sigmoid, logits));
        Assert.Equal([(float)(Math.Exp(2) / sum), (float)(Math.Exp(-1) / sum), (float)(Math.Exp(0.5) / sum)],
            ScoreActivations.Apply(ScoreActivation.Softmax, logits));
    }

    private static ModernBertConfig Config(string extra, int labels)
    {
        var json = new JsonObject
        {
            ["model_type"] = "modernbert", ["vocab_size"] = 50368, ["hidden_size"] = 8, ["intermediate_size"] = 16,
            ["num_hidden_layers"] = 1, ["num_attention_heads"] = 2,
            ["id2label"] = new JsonObject(Enumerable.Range(0, labels).Select(i => KeyValuePair.Create($"{i}", (JsonNode?)$"LABEL_{i}"))),
        };
        foreach ((string key, JsonNode? value) in JsonNode.Parse(extra)!.AsObject())
            json[key] = value?.DeepClone();
        return ModernBertConfig.Parse(json, "config.json");
    }
}
