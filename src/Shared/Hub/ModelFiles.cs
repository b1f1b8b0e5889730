using ModernBert.Checkpoints;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tokenization;

namespace ModernBert.Hub;

/// <summary>
/// The files of a Hugging Face model folder that this product reads, and only those: config.json, the tokenizer, the
/// safetensors weights (one file, or the index and its shards) and, for sentence-transformers, PyLate and
/// SparseEncoder models, modules.json with each module's config.json (and a Dense module's model.safetensors), and
/// config_sentence_transformers.json and sentence_bert_config.json when present.
/// </summary>
internal static class ModelFiles
{
    /// <summary>Brings every file the model needs into the source's snapshot, in order; throws when a required one is absent.</summary>
    public static async Task FetchAsync(ISnapshotSource source, CancellationToken cancellationToken)
    {
        await RequireAsync(source, ModelFolder.ConfigFileName, cancellationToken);
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
        await source.EnsureAsync(SentenceTransformersConfig.FileName, cancellationToken);
        await source.EnsureAsync(SentenceTransformersConfig.BertConfigFileName, cancellationToken);
        if (await source.EnsureAsync(SentenceTransformersModules.FileName, cancellationToken))
        {
            foreach (SentenceTransformersModule module in ModulesOf(Path.Combine(source.Folder, SentenceTransformersModules.FileName)))
            {
                if (module.HasOwnConfig)
                    await RequireAsync(source, module.ConfigPath, cancellationToken);
                if (module.HasOwnWeights)
                    await RequireAsync(source, $"{module.Path}/{CheckpointDirectory.SingleFileName}", cancellationToken);
            }
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

    /// <summary>The modules that a sentence-transformers modules.json lists.</summary>
    private static IReadOnlyList<SentenceTransformersModule> ModulesOf(string modulesPath)
    {
        try
        {
            return SentenceTransformersModules.Read(modulesPath);
        }
        catch (ModelConfigException e)
        {
            throw new ModelResolutionException(e.Message, e);
        }
    }
}
