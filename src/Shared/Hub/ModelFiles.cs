using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Checkpoints;
using ModernBert.Tokenization;

namespace ModernBert.Hub;

/// <summary>
/// The files of a Hugging Face model folder that this product reads, and only those: config.json, the tokenizer, the
/// safetensors weights (one file, or the index and its shards) and, for sentence-transformers models, modules.json
/// with the config.json of each Pooling module.
/// </summary>
internal static class ModelFiles
{
    public const string ConfigFileName = "config.json";
    public const string ModulesFileName = "modules.json";
    private const string PoolingModuleType = "sentence_transformers.models.Pooling";

    /// <summary>Brings every file the model needs into the source's snapshot, in order; throws when a required one is absent.</summary>
    public static async Task FetchAsync(ISnapshotSource source, CancellationToken cancellationToken)
    {
        await RequireAsync(source, ConfigFileName, cancellationToken);
        await RequireAsync(source, ModernBertTokenizer.TokenizerFileName, cancellationToken);
        await source.EnsureAsync(ModernBertTokenizer.TokenizerConfigFileName, cancellationToken);
        if (!await source.EnsureAsync(CheckpointDirectory.SingleFileName, cancellationToken))
        {
            if (!await source.EnsureAsync(CheckpointDirectory.IndexFileName, cancellationToken))
                throw source.Missing($"safetensors weights ({CheckpointDirectory.SingleFileName} or {CheckpointDirectory.IndexFileName}; " +
                    "pytorch_model.bin is not supported)");
            foreach (string shard in ShardsOf(Path.Combine(source.Folder, CheckpointDirectory.IndexFileName)))
                await RequireAsync(source, shard, cancellationToken);
        }
        if (await source.EnsureAsync(ModulesFileName, cancellationToken))
        {
            foreach (string module in PoolingModulesOf(Path.Combine(source.Folder, ModulesFileName)))
                await RequireAsync(source, $"{module}/{ConfigFileName}", cancellationToken);
        }
    }

    private static async Task RequireAsync(ISnapshotSource source, string file, CancellationToken cancellationToken)
    {
        if (!await source.EnsureAsync(file, cancellationToken))
            throw source.Missing(file);
    }

    private static IEnumerable<string> ShardsOf(string index)
    {
        try
        {
            return CheckpointDirectory.ReadWeightMap(index).Values.Distinct(StringComparer.Ordinal)
                .Select(shard => Path.GetFileName(shard) == shard ? shard
                    : throw new ModelResolutionException($"Checkpoint index {index} names the shard '{shard}', which is not a file name."))
                .ToList();
        }
        catch (CheckpointException e)
        {
            throw new ModelResolutionException(e.Message, e);
        }
    }

    /// <summary>The folders of the Pooling modules that a sentence-transformers modules.json lists.</summary>
    private static List<string> PoolingModulesOf(string modulesPath)
    {
        JsonNode? modules;
        try
        {
            modules = JsonNode.Parse(File.ReadAllText(modulesPath));
        }
        catch (JsonException e)
        {
            throw new ModelResolutionException($"{modulesPath}: not valid JSON ({e.Message}).", e);
        }
        if (modules is not JsonArray array)
            throw new ModelResolutionException($"{modulesPath}: expected a JSON array of modules.");
        var folders = new List<string>();
        foreach (JsonNode? module in array)
        {
            if (module is JsonObject entry && entry["type"] is JsonValue type && type.TryGetValue(out string? name) && name == PoolingModuleType)
            {
                string folder = entry["path"] is JsonValue path && path.TryGetValue(out string? text) ? text.Trim('/') : "";
                folders.Add(HubRepositoryCache.ValidateRelativePath(folder, modulesPath));
            }
        }
        return folders;
    }
}
