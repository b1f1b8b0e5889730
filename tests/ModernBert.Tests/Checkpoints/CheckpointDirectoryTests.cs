using ModernBert.Checkpoints;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Checkpoints;

public sealed class CheckpointDirectoryTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void OpensTheSingleFileOfAFixtureFolder()
    {
        string folder = Fixtures.Require("tiny-modernbert-mlm");

        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder);

        SafetensorsFile file = Assert.Single(checkpoint.Files);
        Assert.Equal(Path.Combine(folder, "model.safetensors"), file.Path);
        Assert.Equal(41, checkpoint.Keys.Count());
        Assert.True(checkpoint.TryFind("model.layers.5.mlp.Wo.weight", out SafetensorsFile? found));
        Assert.Same(file, found);
        Assert.False(checkpoint.TryFind("layers.5.mlp.Wo.weight", out _));
    }

    [Fact]
    public void OpensTheShardsAnIndexMapsKeysTo()
    {
        SafetensorsTestWriter.Write(_folder.File("model-00001-of-00002.safetensors"), [TestTensor.F32("a", [1], [1f]), TestTensor.F32("b", [1], [2f])]);
        SafetensorsTestWriter.Write(_folder.File("model-00002-of-00002.safetensors"), [TestTensor.F32("c", [1], [3f])]);
        SafetensorsTestWriter.WriteIndex(_folder.Path, new Dictionary<string, string>
        {
            ["a"] = "model-00001-of-00002.safetensors",
            ["b"] = "model-00001-of-00002.safetensors",
            ["c"] = "model-00002-of-00002.safetensors",
        });

        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        Assert.Equal(2, checkpoint.Files.Count);
        Assert.Equal(["a", "b", "c"], checkpoint.Keys.Order());
        Assert.True(checkpoint.TryFind("c", out SafetensorsFile? shard));
        Assert.Equal(_folder.File("model-00002-of-00002.safetensors"), shard.Path);
    }

    [Fact]
    public void PrefersTheSingleFileOverAnIndex()
    {
        SafetensorsTestWriter.Write(_folder.File("model.safetensors"), [TestTensor.F32("single", [1], [1f])]);
        SafetensorsTestWriter.WriteIndex(_folder.Path, new Dictionary<string, string> { ["sharded"] = "absent.safetensors" });

        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(_folder.Path);

        Assert.Equal(["single"], checkpoint.Keys);
    }

    [Fact]
    public void AFolderWithoutCheckpointNamesTheFolderAndTheFilesLookedFor()
    {
        File.WriteAllText(_folder.File("config.json"), "{}");

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.Path, error.Message);
        Assert.Contains("model.safetensors and model.safetensors.index.json", error.Message);
        Assert.DoesNotContain("pytorch_model.bin", error.Message);
    }

    [Fact]
    public void AFolderWithOnlyAPickleCheckpointSaysToConvertIt()
    {
        File.WriteAllBytes(_folder.File("pytorch_model.bin"), [0x80, 0x02]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.Path, error.Message);
        Assert.Contains("pytorch_model.bin, which is not supported", error.Message);
        Assert.Contains("safetensors", error.Message);
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        string missing = _folder.File("nowhere");

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(missing));

        Assert.Contains($"{missing} does not exist", error.Message);
    }

    [Fact]
    public void AnIndexNamingAnAbsentShardNamesIndexShardAndTensor()
    {
        SafetensorsTestWriter.WriteIndex(_folder.Path, new Dictionary<string, string> { ["a"] = "model-00001-of-00001.safetensors" });

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.File("model.safetensors.index.json"), error.Message);
        Assert.Contains(_folder.File("model-00001-of-00001.safetensors"), error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void AnIndexMappingATensorToAShardWithoutItIsReported()
    {
        SafetensorsTestWriter.Write(_folder.File("shard.safetensors"), [TestTensor.F32("a", [1], [1f])]);
        SafetensorsTestWriter.WriteIndex(_folder.Path, new Dictionary<string, string> { ["a"] = "shard.safetensors", ["b"] = "shard.safetensors" });

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.File("shard.safetensors"), error.Message);
        Assert.Contains("'b'", error.Message);
        Assert.Contains("does not hold it", error.Message);
    }

    [Fact]
    public void AnIndexShardOutsideTheFolderIsRejected()
    {
        SafetensorsTestWriter.WriteIndex(_folder.Path, new Dictionary<string, string> { ["a"] = "../elsewhere.safetensors" });

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains("'../elsewhere.safetensors', which is not a file name in the folder", error.Message);
    }

    [Theory]
    [InlineData("{\"weight_map\": {\"a\": ", "not valid JSON")]
    [InlineData("{\"metadata\": {}}", "no 'weight_map' object")]
    [InlineData("{\"weight_map\": {}}", "maps no tensors")]
    [InlineData("{\"weight_map\": {\"a\": 3}}", "maps tensor 'a' to 3")]
    public void AMalformedIndexIsNamed(string index, string expected)
    {
        File.WriteAllText(_folder.File("model.safetensors.index.json"), index);

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.File("model.safetensors.index.json"), error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ACorruptShardNamesTheShard()
    {
        SafetensorsTestWriter.WriteRaw(_folder.File("model.safetensors"), "not json", []);

        var error = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(_folder.Path));

        Assert.Contains(_folder.File("model.safetensors"), error.Message);
    }
}
