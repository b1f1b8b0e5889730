using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ModernBert.Tests.Common;

/// <summary>
/// A checkpoint folder in a sentence-transformers / PyLate / SparseEncoder layout over tiny-modernbert-mlm: the
/// fixture's files linked in its root, and module folders and JSON files the test writes, with random weights.
/// </summary>
public sealed class SentenceTransformersFolder : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public SentenceTransformersFolder()
    {
        string fixture = Fixtures.Require("tiny-modernbert-mlm");
        foreach (string file in Directory.GetFiles(fixture))
            File.CreateSymbolicLink(_folder.File(System.IO.Path.GetFileName(file)), file);
    }

    public string Path => _folder.Path;

    public SentenceTransformersFolder Json(string relativePath, string json)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_folder.File(relativePath))!);
        File.WriteAllText(_folder.File(relativePath), json);
        return this;
    }

    /// <summary>Writes a Dense module's config.json and model.safetensors (linear.weight [out, in], linear.bias [out]); returns its weights.</summary>
    public (float[,] Weight, float[]? Bias) Dense(string module, int inFeatures, int outFeatures, bool bias, string activation, int seed)
    {
        var random = new Random(seed);
        float[,] weight = RandomMatrix(random, outFeatures, inFeatures);
        float[]? biasValues = bias ? [.. Enumerable.Range(0, outFeatures).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f)] : null;
        Json($"{module}/config.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["in_features"] = inFeatures, ["out_features"] = outFeatures, ["bias"] = bias, ["activation_function"] = activation,
        }));
        var tensors = new List<(string, long[], float[])> { ("linear.weight", [outFeatures, inFeatures], [.. weight.Cast<float>()]) };
        if (biasValues != null)
            tensors.Add(("linear.bias", [outFeatures], biasValues));
        WriteSafetensors(_folder.File($"{module}/model.safetensors"), tensors);
        return (weight, biasValues);
    }

    /// <summary>
    /// Writes a PyLate Dense module with use_residual (no bias, Identity): linear.weight and, when the widths differ,
    /// residual.weight [out, in]; returns them.
    /// </summary>
    public (float[,] Weight, float[,]? Residual) ResidualDense(string module, int inFeatures, int outFeatures, int seed)
    {
        var random = new Random(seed);
        float[,] weight = RandomMatrix(random, outFeatures, inFeatures);
        float[,]? residual = inFeatures != outFeatures ? RandomMatrix(random, outFeatures, inFeatures) : null;
        Json($"{module}/config.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["in_features"] = inFeatures, ["out_features"] = outFeatures, ["bias"] = false,
            ["activation_function"] = "torch.nn.modules.linear.Identity", ["use_residual"] = true,
        }));
        var tensors = new List<(string, long[], float[])> { ("linear.weight", [outFeatures, inFeatures], [.. weight.Cast<float>()]) };
        if (residual != null)
            tensors.Add(("residual.weight", [outFeatures, inFeatures], [.. residual.Cast<float>()]));
        WriteSafetensors(_folder.File($"{module}/model.safetensors"), tensors);
        return (weight, residual);
    }

    private static float[,] RandomMatrix(Random random, int rows, int columns)
    {
        var matrix = new float[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                matrix[i, j] = (float)(random.NextDouble() - 0.5) * 0.4f;
        return matrix;
    }

    private static void WriteSafetensors(string path, IReadOnlyList<(string Name, long[] Shape, float[] Values)> tensors)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach ((string name, long[] shape, float[] values) in tensors)
        {
            header[name] = new { dtype = "F32", shape, data_offsets = new[] { offset, offset + values.Length * 4L } };
            offset += values.Length * 4L;
        }
        byte[] headerBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using FileStream file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        foreach ((_, _, float[] values) in tensors)
        {
            byte[] bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            file.Write(bytes);
        }
    }

    public void Dispose() => _folder.Dispose();
}
