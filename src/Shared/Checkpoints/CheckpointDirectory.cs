using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ModernBert.Checkpoints;

/// <summary>
/// The safetensors weights of a Hugging Face checkpoint folder: a single <c>model.safetensors</c>, or the shards that
/// <c>model.safetensors.index.json</c> maps each key to. Every file is opened and its header validated up front.
/// </summary>
public sealed class CheckpointDirectory : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";
    private const string PickleFileName = "pytorch_model.bin";

    private readonly IReadOnlyDictionary<string, SafetensorsFile> _fileByKey;

    private CheckpointDirectory(string folder, IReadOnlyList<SafetensorsFile> files, IReadOnlyDictionary<string, SafetensorsFile> fileByKey)
    {
        Folder = folder;
        Files = files;
        _fileByKey = fileByKey;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Folder { get; }

    /// <summary>The open safetensors files: one, or the shards.</summary>
    public IReadOnlyList<SafetensorsFile> Files { get; }

    /// <summary>Every tensor key the checkpoint holds.</summary>
    public IEnumerable<string> Keys => _fileByKey.Keys;

    /// <summary>The files' paths, comma separated, for messages.</summary>
    public string DescribeFiles() => string.Join(", ", Files.Select(file => file.Path));

    /// <summary>Opens the checkpoint in a folder, preferring <c>model.safetensors</c> over a sharded index as
    /// transformers does.</summary>
    /// <exception cref="CheckpointException">The folder is missing, holds no safetensors checkpoint, or a file in it
    /// is invalid.</exception>
    public static CheckpointDirectory Open(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder))
            throw new CheckpointException($"Checkpoint folder {folder} does not exist.");

        string single = Path.Combine(folder, SingleFileName);
        if (File.Exists(single))
        {
            SafetensorsFile file = SafetensorsFile.Open(single);
            return new CheckpointDirectory(folder, [file], file.Tensors.Keys.ToDictionary(key => key, _ => file, StringComparer.Ordinal));
        }

        string index = Path.Combine(folder, IndexFileName);
        if (File.Exists(index))
            return OpenSharded(folder, index);

        string pickleNote = File.Exists(Path.Combine(folder, PickleFileName))
            ? $" It holds {PickleFileName}, which is not supported: convert the checkpoint to safetensors (for example, " +
              "load it with transformers and save_pretrained(..., safe_serialization=True))."
            : "";
        throw new CheckpointException($"No checkpoint in folder {folder}: looked for {SingleFileName} and {IndexFileName}.{pickleNote}");
    }

    /// <summary>Finds the file that holds a key.</summary>
    public bool TryFind(string key, [NotNullWhen(true)] out SafetensorsFile? file) => _fileByKey.TryGetValue(key, out file);

    public void Dispose()
    {
        foreach (SafetensorsFile file in Files)
            file.Dispose();
    }

    private static CheckpointDirectory OpenSharded(string folder, string index)
    {
        IReadOnlyDictionary<string, string> shardByKey = ReadWeightMap(index);
        var files = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var fileByKey = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach ((string key, string shard) in shardByKey)
            {
                if (!files.TryGetValue(shard, out SafetensorsFile? file))
                {
                    file = OpenShard(folder, index, shard, key);
                    files.Add(shard, file);
                }
                if (!file.Tensors.ContainsKey(key))
                    throw new CheckpointException($"Checkpoint index {index} maps tensor '{key}' to {file.Path}, which does not hold it.");
                fileByKey.Add(key, file);
            }
            return new CheckpointDirectory(folder, files.Values.ToList(), fileByKey);
        }
        catch
        {
            foreach (SafetensorsFile file in files.Values)
                file.Dispose();
            throw;
        }
    }

    private static SafetensorsFile OpenShard(string folder, string index, string shard, string key)
    {
        if (Path.GetFileName(shard) != shard)
            throw new CheckpointException($"Checkpoint index {index} maps tensor '{key}' to '{shard}', which is not a file name in the folder.");
        string path = Path.Combine(folder, shard);
        if (!File.Exists(path))
            throw new CheckpointException($"Checkpoint index {index} maps tensor '{key}' to shard {path}, which does not exist.");
        return SafetensorsFile.Open(path);
    }

    internal static Dictionary<string, string> ReadWeightMap(string index)
    {
        try
        {
            using FileStream stream = File.OpenRead(index);
            using JsonDocument document = JsonDocument.Parse(stream);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out JsonElement weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"Checkpoint index {index} has no 'weight_map' object.");
            var shardByKey = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in weightMap.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointException($"Checkpoint index {index} maps tensor '{entry.Name}' to {entry.Value.GetRawText()}, not a file name.");
                if (!shardByKey.TryAdd(entry.Name, entry.Value.GetString()!))
                    throw new CheckpointException($"Checkpoint index {index} maps tensor '{entry.Name}' twice.");
            }
            if (shardByKey.Count == 0)
                throw new CheckpointException($"Checkpoint index {index} maps no tensors.");
            return shardByKey;
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Checkpoint index {index} is not valid JSON ({e.Message}).", e);
        }
    }
}
