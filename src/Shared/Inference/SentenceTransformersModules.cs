using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Hub;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>One entry of a sentence-transformers modules.json: the module's class and its folder in the model folder ("" for the root).</summary>
public sealed record SentenceTransformersModule(string Type, string Path)
{
    public const string TransformerType = "sentence_transformers.models.Transformer";
    public const string PoolingType = "sentence_transformers.models.Pooling";
    public const string NormalizeType = "sentence_transformers.models.Normalize";

    /// <summary>The module's config.json, relative to the model folder.</summary>
    public string ConfigPath => Path.Length == 0 ? ModelFolder.ConfigFileName : $"{Path}/{ModelFolder.ConfigFileName}";
}

/// <summary>The one reader of a sentence-transformers modules.json, for the Hub download and the model folder alike.</summary>
public static class SentenceTransformersModules
{
    public const string FileName = "modules.json";

    /// <summary>
    /// The modules the file lists, in order. Throws <see cref="ModelConfigException"/> naming the file when it is not a
    /// JSON array of objects with a type each, or names a folder outside the model folder.
    /// </summary>
    public static IReadOnlyList<SentenceTransformersModule> Read(string path)
    {
        if (ReadJson(path) is not JsonArray array)
            throw new ModelConfigException($"{path}: expected a JSON array of modules.");
        var modules = new List<SentenceTransformersModule>(array.Count);
        foreach (JsonNode? entry in array)
        {
            if (entry is not JsonObject module || module["type"] is not JsonValue type || !type.TryGetValue(out string? typeName))
                throw new ModelConfigException($"{path}: a module has no type.");
            string folder = module["path"] is JsonValue value && value.TryGetValue(out string? text) ? text.Trim('/') : "";
            if (folder.Length > 0 && !HubRepositoryCache.IsRelativePath(folder))
                throw new ModelConfigException($"{path}: the module {typeName} is in '{folder}', which is not a folder inside the model folder.");
            modules.Add(new SentenceTransformersModule(typeName, folder));
        }
        return modules;
    }

    /// <summary>A JSON file of the model folder; throws <see cref="ModelConfigException"/> naming it when it is absent or not JSON.</summary>
    internal static JsonNode ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) ?? throw new ModelConfigException($"{path}: empty JSON.");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path}: not valid JSON ({e.Message}).");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelConfigException($"{path}: no such file.");
        }
    }
}
