using ModernBert.Checkpoints;
using ModernBert.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Checkpoints;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ReadsTheReferenceInt64InputIdsAndFloat32HiddenStates()
    {
        using SafetensorsFile file = SafetensorsFile.Open(Fixtures.Require("reference/base_reference.safetensors"));
        long[] lengths = [2, 5, 9, 17, 33, 64, 100, 257, 1000, 2100];
        for (int k = 0; k < lengths.Length; k++)
        {
            using Tensor ids = file.Read($"input_ids_{k}");
            using Tensor hidden = file.Read($"hidden_{k}");
            Assert.Equal(ScalarType.Int64, ids.dtype);
            Assert.Equal([lengths[k]], ids.shape);
            Assert.Equal(50281L, ids[0].item<long>());
            Assert.Equal(50282L, ids[-1].item<long>());
            Assert.Equal(ScalarType.Float32, hidden.dtype);
            Assert.Equal([lengths[k], 64L], hidden.shape);
        }
        using Tensor ids1 = file.Read("input_ids_1");
        Assert.Equal([50281L, 41600, 30841, 17768, 50282], ids1.data<long>().ToArray());
        using Tensor hidden0 = file.Read("hidden_0");
        Assert.Equal([0.7113490104675293f, 0.4182860851287842f, 0.6341028809547424f], hidden0[0, ..3].data<float>().ToArray());
        using Tensor hidden9 = file.Read("hidden_9");
        Assert.Equal(-1.3161234855651855f, hidden9[-1, -1].item<float>());
    }

    [Fact]
    public void ReadsWrittenTensorsOfEachDTypeWithTheirMetadata()
    {
        string path = _folder.File("mixed.safetensors");
        float[] floats = [1.5f, -2.25f, 3e-5f, 65504f, -0.0f, 7f];
        Half[] halves = [(Half)0.5f, (Half)(-1.25f), Half.MaxValue, (Half)0.0001f];
        float[] bfloats = [1f, -0.0078125f, 3.3895314e38f, 0.15625f];
        long[] longs = [long.MinValue, -1, 0, long.MaxValue];
        SafetensorsTestWriter.Write(path,
        [
            TestTensor.F32("f32", [2, 3], floats),
            TestTensor.F16("f16", [4], halves),
            TestTensor.BF16("bf16", [2, 2], bfloats),
            TestTensor.I64("i64", [4], longs),
            new TestTensor("scalar_u8", "U8", [], [200]),
            new TestTensor("empty", "F32", [0, 5], []),
        ], new Dictionary<string, string> { ["format"] = "pt" });

        using SafetensorsFile file = SafetensorsFile.Open(path);

        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["bf16", "empty", "f16", "f32", "i64", "scalar_u8"], file.Tensors.Keys.Order());
        using Tensor f32 = file.Read("f32");
        Assert.Equal([2L, 3], f32.shape);
        Assert.Equal(floats, f32.data<float>().ToArray());
        using Tensor f16 = file.Read("f16");
        Assert.Equal(ScalarType.Float16, f16.dtype);
        using Tensor f16AsFloat = f16.to(ScalarType.Float32);
        Assert.Equal(halves.Select(half => (float)half), f16AsFloat.data<float>().ToArray());
        using Tensor bf16 = file.Read("bf16");
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        using Tensor bf16AsFloat = bf16.to(ScalarType.Float32);
        Assert.Equal(bfloats, bf16AsFloat.data<float>().ToArray());
        using Tensor i64 = file.Read("i64");
        Assert.Equal(longs, i64.data<long>().ToArray());
        using Tensor scalar = file.Read("scalar_u8");
        Assert.Empty(scalar.shape);
        Assert.Equal((byte)200, scalar.item<byte>());
        using Tensor empty = file.Read("empty");
        Assert.Equal([0L, 5], empty.shape);
    }

    [Fact]
    public void ReadsATensorLargerThanOneReadChunk()
    {
        const long count = 20_000_000; // 80 MB of F32, more than the 64 MiB the reader fills at a time.
        string path = _folder.File("large.safetensors");
        using (Tensor values = arange(count, ScalarType.Float32))
            SafetensorsTestWriter.Write(path, [new TestTensor("large", "F32", [count / 1000, 1000], values.bytes.ToArray())]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        using Tensor read = file.Read("large");
        using Tensor expected = arange(count, ScalarType.Float32).view(count / 1000, 1000);

        TensorAssert.Equal(expected, read, "large");
    }

    [Fact]
    public void AFileShorterThanTheLengthFieldIsTruncated()
    {
        string path = _folder.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsReported()
    {
        string path = _folder.File("cut-header.safetensors");
        SafetensorsTestWriter.WriteRaw(path, "{}", [], declaredHeaderLength: 4096);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("header length 4096", error.Message);
    }

    [Fact]
    public void AHeaderThatIsNotJsonIsCorrupt()
    {
        string path = _folder.File("garbage.safetensors");
        SafetensorsTestWriter.WriteRaw(path, "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]", new byte[4]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", "span 4 bytes")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", "not a non-negative integer")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", "begin <= end")]
    [InlineData("{\"w\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", "no string 'dtype'")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", "no 'shape' array")]
    [InlineData("{\"w\": [1, 2]}", "not an object")]
    public void AnInconsistentTensorEntryNamesTheFileAndTensor(string header, string expected)
    {
        string path = _folder.File("inconsistent.safetensors");
        SafetensorsTestWriter.WriteRaw(path, header, new byte[8]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'w'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AnUnknownDTypeNamesTheFileTensorAndDType()
    {
        string path = _folder.File("unknown.safetensors");
        SafetensorsTestWriter.Write(path, [new TestTensor("layers.0.attn.Wo.weight", "Q7", [2], new byte[2])]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'layers.0.attn.Wo.weight'", error.Message);
        Assert.Contains("unknown dtype 'Q7'", error.Message);
    }

    [Fact]
    public void ADTypeWithoutTorchSharpCounterpartCannotBeRead()
    {
        string path = _folder.File("f8.safetensors");
        SafetensorsTestWriter.Write(path, [new TestTensor("scales", "F8_E4M3", [3], new byte[3]), TestTensor.F32("kept", [1], [2f])]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        var error = Assert.Throws<CheckpointException>(() => file.Read("scales"));

        Assert.Contains(path, error.Message);
        Assert.Contains("'scales'", error.Message);
        Assert.Contains("dtype F8_E4M3", error.Message);
        using Tensor kept = file.Read("kept");
        Assert.Equal(2f, kept.item<float>());
    }

    [Fact]
    public void ATruncatedDataSectionNamesTheFileAndTensor()
    {
        string path = _folder.File("cut.safetensors");
        SafetensorsTestWriter.Write(path, [TestTensor.F32("first", [2], [1f, 2f]), TestTensor.F32("second", [4], [3f, 4f, 5f, 6f])]);
        using (FileStream stream = File.OpenWrite(path))
            stream.SetLength(stream.Length - 5);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("'second'", error.Message);
    }

    [Theory]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
        "'a' and 'b' overlap")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
        "'a' appears twice")]
    public void TensorsThatOverlapOrRepeatAreCorrupt(string header, string expected)
    {
        string path = _folder.File("layout.safetensors");
        SafetensorsTestWriter.WriteRaw(path, header, new byte[12]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ReadingAnAbsentTensorNamesTheFileAndTensor()
    {
        string path = _folder.File("one.safetensors");
        SafetensorsTestWriter.Write(path, [TestTensor.F32("present", [1], [1f])]);
        using SafetensorsFile file = SafetensorsFile.Open(path);

        var error = Assert.Throws<CheckpointException>(() => file.Read("absent"));

        Assert.Contains(path, error.Message);
        Assert.Contains("'absent'", error.Message);
    }
}
