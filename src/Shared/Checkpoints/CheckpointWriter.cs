using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Checkpoints;

/// <summary>
/// Saves a model as a Hugging Face checkpoint folder (config.json and model.safetensors), parameters in their own
/// dtype, one tensor at a time. The benchmarks use it to give the fleet a random-weight model of any size.
/// </summary>
public static class CheckpointWriter
{
    public static void Save(nn.Module module, ModernBertConfig config, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SaveWeights(module, folder);
    }

    /// <summary>The module's parameters alone as the folder's model.safetensors (e.g. a sentence-transformers Dense module's).</summary>
    public static void SaveWeights(nn.Module module, string folder)
    {
        Directory.CreateDirectory(folder);

        (string Name, Tensor Tensor)[] parameters = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach ((string name, Tensor tensor) in parameters)
        {
            long bytes = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new { dtype = DType(tensor.dtype, name), shape = tensor.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] headerBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using FileStream file = File.Create(Path.Combine(folder, CheckpointDirectory.SingleFileName));
        Span<byte> length = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        foreach ((_, Tensor tensor) in parameters)
        {
            using var scope = torch.NewDisposeScope();
            file.Write(tensor.detach().cpu().contiguous().bytes);
        }
    }

    private static string DType(ScalarType dtype, string name) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        _ => throw new ArgumentException($"Parameter {name} has dtype {dtype}; checkpoints hold F32, F16 or BF16."),
    };
}
