using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.TokenClassify;
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
        ClassifierWeights classifier = WriteCheckpoint();
        ConfiguredTask task = TokenClassifyTask.Instance.Configure(new TokenClassifyOptions(AggregationStrategy.None, []));
        using IInferenceModel model = task.Load(ModelFolder.Open(_folder.Path), new InferenceSettings(torch.CPU, ScalarType.Float32), null,
            TestContext.Current.CancellationToken);
        int[] sequences = [1, 3, 5, 7];
        DocumentChunk[] chunks = [.. sequences.Select(k => Chunk($"seq{k}", reference.InputIds[k]))];

        using IPendingRows pending = model.Start(chunks);
        TokenClassificationRow[] rows = [.. pending.Complete().Cast<TokenClassificationRow>()];

        PredictionHeadReference head = PredictionHeadReference.Read();
        for (int s = 0; s < sequences.Length; s++)
        {
            float[,] hidden = reference.Hidden[sequences[s]];
            Entity[] entities = rows[s].Entities;
            Assert.Equal(hidden.GetLength(0) - 2, entities.Length);
            for (int t = 1; t < hidden.GetLength(0) - 1; t++)
            {
                double[] scores = PredictionHeadReference.Softmax(head.Logits(hidden, t, classifier));
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

        Assert.EndsWith("is a token classification model (ModernBertForTokenClassification); run it with modernbert run --task token-classify.", error.Message);
    }

    [Theory]
    [InlineData("B-PER")]
    [InlineData("PER")]
    [InlineData("O")]
    public void IgnoredLabelsAreLabelsOrEntityGroups(string label)
    {
        WriteCheckpoint();

        ConfiguredTask task = TokenClassifyTask.Instance.Configure(new TokenClassifyOptions(IgnoreLabels: [label])).ForModel(ModelFolder.Open(_folder.Path));

        Assert.Equal("token-classify", task.Name);
    }

    [Theory]
    [InlineData("NOPE", "")]
    [InlineData("O,PER", "; give each label apart")]
    public void AnIgnoredLabelTheModelCannotGiveIsRefused(string label, string hint)
    {
        WriteCheckpoint();

        var error = Assert.Throws<ConfigurationException>(() =>
            TokenClassifyTask.Instance.Configure(new TokenClassifyOptions(IgnoreLabels: ["O", label])).ForModel(ModelFolder.Open(_folder.Path)));

        Assert.Equal($"The ignored label '{label}' is none of the labels or entity groups of {Path.Combine(_folder.Path, "config.json")} " +
            $"(O, B-PER, I-PER, B-LOC, I-LOC, PER, LOC){hint}.", error.Message);
    }

    /// <summary>Token t spans characters [t, t + 1) of a pretend text; every token but [CLS] and [SEP] is decided.</summary>
    private static DocumentChunk Chunk(string id, int[] ids) => new(id, 0, 0, ids.Length - 2, ids)
    {
        Alignment = new TokenAlignment([.. Enumerable.Range(0, ids.Length).SelectMany(t => new[] { t, t + 1 })], new bool[ids.Length], 1, ids.Length - 1),
    };

    private ClassifierWeights WriteCheckpoint() =>
        ClassifierCheckpoint.Write(_folder.Path, "ModernBertForTokenClassification", Labels, seed: 15);
}
