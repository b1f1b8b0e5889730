using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Checkpoints;

public sealed class CheckpointLoaderTests : IDisposable
{
    private const int EncoderTensorCount = 38;
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<ScalarType> RunDTypes => new(ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16);

    [Fact]
    public void LoadsTheMlmFixtureIntoABareEncoderAndIgnoresTheMlmHead()
    {
        using var module = new ParameterTreeModule(TinyModernBertLayout.Encoder(), ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(Fixtures.Require("tiny-modernbert-mlm"));

        CheckpointLoadResult result = CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(EncoderTensorCount, result.LoadedCount);
        Assert.Equal(["decoder.bias", "head.dense.weight", "head.norm.weight"], result.IgnoredKeys);
        Dictionary<string, Tensor> state = module.Float32State();
        Assert.All(state, entry => Assert.False(entry.Value.isnan().any().item<bool>(), $"{entry.Key} was not loaded"));
        Assert.Equal([-0.0875236913561821f, -0.01626073755323887f, -0.0341726616024971f, 0.06501826643943787f],
            state["layers.0.attn.Wqkv.weight"][0, ..4].data<float>().ToArray());
        Assert.Equal([-0.026672817766666412f, -0.017193250358104706f, 0.01610208861529827f],
            state["embeddings.tok_embeddings.weight"][-1, ^3..].data<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(RunDTypes))]
    public void LoadsTheFloat32FixtureIntoEachRunDTypeInPlace(ScalarType dtype)
    {
        Dictionary<string, Tensor> float32 = LoadFixture("tiny-modernbert-mlm", TinyModernBertLayout.Encoder(), ScalarType.Float32).Float32State();
        using var module = new ParameterTreeModule(TinyModernBertLayout.Encoder(), dtype);
        Dictionary<string, Tensor> parameters = module.named_parameters().ToDictionary(named => named.name, named => (Tensor)named.parameter);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(Fixtures.Require("tiny-modernbert-mlm"));

        CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(float32.Keys.Order(), parameters.Keys.Order());
        foreach ((string name, Tensor parameter) in parameters)
        {
            Assert.Equal(dtype, parameter.dtype);
            TensorAssert.Equal(float32[name].to(dtype), parameter, name);
        }
    }

    [Theory]
    [MemberData(nameof(RunDTypes))]
    public void LoadsTheBFloat16ClassifierFixtureExactly(ScalarType dtype)
    {
        using var module = new ParameterTreeModule(TinyModernBertLayout.Classifier(), dtype);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(Fixtures.Require("tiny-modernbert-cls"));

        CheckpointLoadResult result = CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(EncoderTensorCount + 4, result.LoadedCount);
        Assert.Empty(result.IgnoredKeys);
        Dictionary<string, Tensor> state = module.Float32State();
        // Every BF16 value is exact in F32; in F16 these small values are exact as well.
        Assert.Equal([-0.03271484375f, 0.09033203125f, -0.03076171875f], state["classifier.bias"].data<float>().ToArray());
        Assert.Equal([-0.05322265625f, -0.0201416015625f], state["classifier.weight"][-1, ^2..].data<float>().ToArray());
        // The classifier's encoder is the MLM fixture's encoder rounded to BF16 by PyTorch.
        Dictionary<string, Tensor> mlm = LoadFixture("tiny-modernbert-mlm", TinyModernBertLayout.Encoder(), ScalarType.Float32).Float32State();
        foreach ((string name, Tensor expected) in mlm)
            TensorAssert.Equal(expected.to(ScalarType.BFloat16).to(dtype).to(ScalarType.Float32), state["model." + name], name);
    }

    [Fact]
    public void AShardedCheckpointLoadsLikeTheSingleFile()
    {
        string fixture = Fixtures.Require("tiny-modernbert-mlm");
        var shardByKey = new Dictionary<string, string>();
        using (SafetensorsFile single = SafetensorsFile.Open(Path.Combine(fixture, "model.safetensors")))
        {
            string[][] shards = single.Tensors.Keys.Order().Chunk(15).ToArray();
            for (int index = 0; index < shards.Length; index++)
            {
                string shard = $"model-{index + 1:00000}-of-{shards.Length:00000}.safetensors";
                SafetensorsTestWriter.Write(_folder.File(shard), shards[index].Select(key => CopyOf(single, key)).ToList());
                foreach (string key in shards[index])
                    shardByKey[key] = shard;
            }
        }
        SafetensorsTestWriter.WriteIndex(_folder.Path, shardByKey);
        using var module = new ParameterTreeModule(TinyModernBertLayout.Encoder(), ScalarType.Float32);
        using CheckpointDirectory sharded = CheckpointDirectory.Open(_folder.Path);

        CheckpointLoadResult result = CheckpointLoader.Load(module, sharded, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, sharded.Files.Count);
        Assert.Equal(EncoderTensorCount, result.LoadedCount);
        Assert.Equal(3, result.IgnoredKeys.Count);
        Dictionary<string, Tensor> expected = LoadFixture("tiny-modernbert-mlm", TinyModernBertLayout.Encoder(), ScalarType.Float32).Float32State();
        foreach ((string name, Tensor loaded) in module.Float32State())
            TensorAssert.Equal(expected[name], loaded, name);
    }

    [Fact]
    public void CheckpointKeysWithoutTheModelPrefixFillAModelWithIt()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"),
            [TestTensor.F32("layers.0.attn.Wo.weight", [2, 2], [1f, 2f, 3f, 4f]), TestTensor.F32("classifier.bias", [2], [5f, 6f])]);
        using var module = new ParameterTreeModule([("model.layers.0.attn.Wo.weight", [2, 2]), ("classifier.bias", [2])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        CheckpointLoadResult result = CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, result.LoadedCount);
        Dictionary<string, Tensor> state = module.Float32State();
        Assert.Equal([1f, 2f, 3f, 4f], state["model.layers.0.attn.Wo.weight"].data<float>().ToArray());
        Assert.Equal([5f, 6f], state["classifier.bias"].data<float>().ToArray());
    }

    [Fact]
    public void AnExactKeyWinsOverAPrefixedOne()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("model.w", [1], [1f]), TestTensor.F32("w", [1], [2f])]);
        using var module = new ParameterTreeModule([("w", [1])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        CheckpointLoadResult result = CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2f, module.Float32State()["w"].item<float>());
        Assert.Equal(["model.w"], result.IgnoredKeys);
    }

    [Fact]
    public void AFloat16CheckpointLoadsIntoFloat32Exactly()
    {
        Half[] values = [(Half)0.1f, (Half)(-3.5f), Half.Epsilon, Half.MinValue];
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F16("w", [2, 2], values)]);
        using var module = new ParameterTreeModule([("w", [2, 2])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(values.Select(value => (float)value), module.Float32State()["w"].data<float>().ToArray());
    }

    [Fact]
    public void PersistentBuffersAreLoadedAndNonPersistentOnesLeftAlone()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("w", [1], [1f]), TestTensor.F32("stats.scale", [2], [2f, 3f])]);
        using var module = new ParameterTreeModule([("w", [1])], ScalarType.Float32);
        module.AddBuffer("stats.scale", zeros(2), persistent: true);
        Tensor invFreq = ones(4);
        module.AddBuffer("rotary.inv_freq", invFreq, persistent: false);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        CheckpointLoadResult result = CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, result.LoadedCount);
        Assert.Equal([2f, 3f], module.Float32State()["stats.scale"].data<float>().ToArray());
        Assert.Equal([1f, 1f, 1f, 1f], invFreq.data<float>().ToArray());
    }

    [Fact]
    public void AMissingTensorNamesTheKeysAndTheFilesSearched()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("model.w", [1], [1f])]);
        using var module = new ParameterTreeModule([("w", [1]), ("layers.0.extra.weight", [1])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("lacks 1 tensor the model needs", error.Message);
        Assert.Contains("'layers.0.extra.weight' or 'model.layers.0.extra.weight'", error.Message);
        Assert.Contains(_folder.File("model.safetensors"), error.Message);
    }

    [Fact]
    public void AShapeMismatchNamesTheFileTensorAndBothShapes()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("model.layers.0.attn.Wo.weight", [3, 2], new float[6])]);
        using var module = new ParameterTreeModule([("layers.0.attn.Wo.weight", [2, 3])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(
            $"Tensor 'model.layers.0.attn.Wo.weight' in file {_folder.File("model.safetensors")} has shape [3, 2], expected [2, 3] " +
            "for 'layers.0.attn.Wo.weight'.", error.Message);
    }

    [Theory]
    [InlineData("I64", 8)]
    [InlineData("F64", 8)]
    [InlineData("I32", 4)]
    [InlineData("F8_E4M3", 1)]
    public void ATensorOfAnotherDTypeIsNotAWeight(string dtype, int elementSize)
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [new TestTensor("w", dtype, [2], new byte[2 * elementSize])]);
        using var module = new ParameterTreeModule([("w", [2])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"Tensor 'w' in file {_folder.File("model.safetensors")} has dtype {dtype}; weights must be F32, F16 or BF16.", error.Message);
    }

    [Fact]
    public void NothingIsCopiedWhenAnyTensorIsBad()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("a", [2], [1f, 2f]), TestTensor.F32("b", [3], [1f, 2f, 3f])]);
        using var module = new ParameterTreeModule([("a", [2]), ("b", [2])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken));

        Assert.True(module.Float32State()["a"].isnan().all().item<bool>());
    }

    [Fact]
    public void ReportsTheIgnoredKeysAtDebugLevel()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("w", [1], [1f]), TestTensor.F32("head.norm.weight", [1], [1f])]);
        using var module = new ParameterTreeModule([("w", [1])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);
        var logger = new RecordingLogger();

        CheckpointLoader.Load(module, checkpoint, logger, TestContext.Current.CancellationToken);

        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, level);
        Assert.Equal($"Loaded 1 tensors from {_folder.Path}; ignored 1 checkpoint keys: head.norm.weight", message);
    }

    [Fact]
    public void StopsWhenCancelled()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("w", [1], [1f])]);
        using var module = new ParameterTreeModule([("w", [1])], ScalarType.Float32);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        Assert.Throws<OperationCanceledException>(() => CheckpointLoader.Load(module, checkpoint, cancellationToken: new CancellationToken(canceled: true)));
    }

    private static ParameterTreeModule LoadFixture(string folder, IEnumerable<(string Name, long[] Shape)> layout, ScalarType dtype)
    {
        var module = new ParameterTreeModule(layout, dtype);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(Fixtures.Require(folder));
        CheckpointLoader.Load(module, checkpoint, cancellationToken: TestContext.Current.CancellationToken);
        return module;
    }

    private static TestTensor CopyOf(SafetensorsFile file, string key)
    {
        SafetensorsTensorInfo info = file.GetInfo(key);
        using Tensor tensor = file.Read(key);
        return new TestTensor(key, info.DType, info.Shape.ToArray(), tensor.bytes.ToArray());
    }
}
