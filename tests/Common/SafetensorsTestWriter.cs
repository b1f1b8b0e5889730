using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ModernBert.Tests.Common;

/// <summary>One tensor to write: its key, safetensors dtype, shape and raw little-endian bytes.</summary>
internal sealed record TestTensor(string Name, string DType, long[] Shape, byte[] Data)
{
    public static TestTensor F32(string name, long[] shape, float[] values) => new(name, "F32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static TestTensor F16(string name, long[] shape, Half[] values) => new(name, "F16", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>BF16 from floats whose low 16 bits are zero, so the values are exact.</summary>
    public static TestTensor BF16(string name, long[] shape, float[] values)
    {
        ushort[] upper = values.Select(value =>
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            Assert.Equal(0u, bits & 0xFFFF);
            return (ushort)(bits >> 16);
        }).ToArray();
        return new TestTensor(name, "BF16", shape, MemoryMarshal.AsBytes(upper.AsSpan()).ToArray());
    }

    public static TestTensor I64(string name, long[] shape, long[] values) => new(name, "I64", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}

/// <summary>Writes small safetensors files and index files for tests, well formed or deliberately broken.</summary>
internal static class SafetensorsTestWriter
{
    /// <summary>Writes the tensors one after the other, in the given order, with an optional <c>__metadata__</c>.</summary>
    public static void Write(string path, IEnumerable<TestTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata != null)
            header["__metadata__"] = metadata;
        using var data = new MemoryStream();
        foreach (TestTensor tensor in tensors)
        {
            header[tensor.Name] = new { dtype = tensor.DType, shape = tensor.Shape, data_offsets = new[] { data.Length, data.Length + tensor.Data.Length } };
            data.Write(tensor.Data);
        }
        WriteRaw(path, JsonSerializer.Serialize(header), data.ToArray());
    }

    /// <summary>Writes a header given as JSON text, then the data bytes; the header length field may be overridden.</summary>
    public static void WriteRaw(string path, string headerJson, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        byte[] length = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(length, declaredHeaderLength ?? (ulong)header.Length);
        using FileStream stream = File.Create(path);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
    }

    /// <summary>Writes <c>model.safetensors.index.json</c> with the given key-to-shard map.</summary>
    public static void WriteIndex(string folder, IReadOnlyDictionary<string, string> shardByKey) =>
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"),
            JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = shardByKey }));
}
