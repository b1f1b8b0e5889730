using ModernBert.Checkpoints;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>fp32 CPU parity with Hugging Face transformers on the reference fixtures.</summary>
public sealed class ModelParityTests
{
    private const double HiddenTolerance = 1e-4;
    private const double LogitTolerance = 1e-3;

    public static TheoryData<string> ConfigLayouts => new() { "config.json", "config.transformers5.json" };

    [Theory]
    [MemberData(nameof(ConfigLayouts))]
    public void AllTenSequencesInOneCallMatchTheReference(string configFile)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using ModernBertModel model = LoadEncoder(configFile);
        AssertHiddenStatesMatch(model, reference, Enumerable.Range(0, ReferenceOutputs.Count).ToArray());
    }

    [Theory]
    [MemberData(nameof(ConfigLayouts))]
    public void EachSequenceAloneMatchesTheReference(string configFile)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using ModernBertModel model = LoadEncoder(configFile);
        for (int k = 0; k < ReferenceOutputs.Count; k++)
            AssertHiddenStatesMatch(model, reference, [k]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AnyOrderOfTheSequencesMatchesTheReference(int seed)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using ModernBertModel model = LoadEncoder("config.json");
        int[] order = Enumerable.Range(0, ReferenceOutputs.Count).ToArray();
        new Random(seed).Shuffle(order);
        AssertHiddenStatesMatch(model, reference, order);
    }

    [Fact]
    public void ClassifierLogitsMatchTheReferenceInOneCallAloneAndShuffled()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string folder = Fixtures.Require("tiny-modernbert-cls");
        ModernBertConfig config = ModernBertConfig.Load(Path.Combine(folder, "config.json"));
        using var model = new ModernBertForSequenceClassification(config, torch.CPU, ScalarType.Float32, new SdpaAttentionKernel());
        using (CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder))
            CheckpointLoader.Load(model, checkpoint, cancellationToken: TestContext.Current.CancellationToken);
        model.eval();

        int[] shuffled = Enumerable.Range(0, ReferenceOutputs.Count).ToArray();
        new Random(7).Shuffle(shuffled);
        int[][] orders = [Enumerable.Range(0, ReferenceOutputs.Count).ToArray(), shuffled, .. Enumerable.Range(0, ReferenceOutputs.Count).Select(k => new[] { k })];
        foreach (int[] order in orders)
        {
            float[,] logits = Logits(model, order.Select(k => reference.InputIds[k]).ToArray());
            for (int i = 0; i < order.Length; i++)
                for (int label = 0; label < 3; label++)
                    Assert.True(Math.Abs(logits[i, label] - reference.Logits[order[i], label]) <= LogitTolerance,
                        $"sequence {order[i]} label {label}: {logits[i, label]} vs reference {reference.Logits[order[i], label]}");
        }
    }

    [Fact]
    public void ASequenceOfTheMaximumLengthRuns()
    {
        using ModernBertModel model = LoadEncoder("config.json");
        int[] ids = Enumerable.Range(0, model.Config.MaxPositionEmbeddings).Select(i => 100 + i % 5000).ToArray();
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using var batch = UnpaddedBatch.Create([ids], torch.CPU);
        Tensor hidden = model.call(batch);
        Assert.Equal(new long[] { ids.Length, model.Config.HiddenSize }, hidden.shape);
        Assert.False(hidden.isnan().any().item<bool>());
    }

    /// <param name="dtype">fp32 when null.</param>
    internal static ModernBertModel LoadEncoder(string configFile, ModelDtype? dtype = null)
    {
        string folder = Fixtures.Require("tiny-modernbert-mlm");
        ModernBertConfig config = ModernBertConfig.Load(Path.Combine(folder, configFile));
        var model = new ModernBertModel(config, torch.CPU, dtype ?? ScalarType.Float32, new SdpaAttentionKernel());
        using (CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder))
            CheckpointLoader.Load(model, checkpoint, cancellationToken: TestContext.Current.CancellationToken);
        Fp8Linear.QuantizeAll(model);
        model.eval();
        return model;
    }

    private static void AssertHiddenStatesMatch(ModernBertModel model, ReferenceOutputs reference, int[] order)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using var batch = UnpaddedBatch.Create(order.Select(k => (ReadOnlyMemory<int>)reference.InputIds[k]).ToArray(), torch.CPU);
        Tensor hidden = model.call(batch);
        for (int i = 0; i < order.Length; i++)
        {
            float[,] actual = ReferenceOutputs.ToMatrix(hidden.narrow(0, batch.Offsets[i], batch.Length(i)));
            double error = ReferenceOutputs.MaxAbsDifference(reference.Hidden[order[i]], actual);
            Assert.True(error <= HiddenTolerance, $"sequence {order[i]} (length {batch.Length(i)}): max abs error {error:E2}");
        }
    }

    private static float[,] Logits(ModernBertForSequenceClassification model, int[][] sequences)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using var batch = UnpaddedBatch.Create(sequences.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), torch.CPU);
        return ReferenceOutputs.ToMatrix(model.call(batch));
    }
}
