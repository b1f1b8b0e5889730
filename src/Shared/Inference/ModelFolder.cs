using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>
/// A Hugging Face model folder: config.json, the weights, the tokenizer, and, for sentence-transformers models,
/// modules.json with 1_Pooling/config.json, which decide the default pooling and normalization of embeddings.
/// </summary>
public sealed class ModelFolder
{
    private ModelFolder(string path, ModernBertConfig config, PoolingMode defaultPooling, bool defaultNormalize)
    {
        Path = path;
        Config = config;
        DefaultPooling = defaultPooling;
        DefaultNormalize = defaultNormalize;
    }

    public string Path { get; }

    public ModernBertConfig Config { get; }

    /// <summary>The pooling of the sentence-transformers Pooling module when there is one, else classifier_pooling.</summary>
    public PoolingMode DefaultPooling { get; }

    /// <summary>Whether the sentence-transformers pipeline ends with a Normalize module.</summary>
    public bool DefaultNormalize { get; }

    public bool IsClassifier => Config.Labels.Count > 0;

    public static ModelFolder Open(string path)
    {
        if (!Directory.Exists(path))
            throw new ModelConfigException($"Model folder {path} does not exist.");
        ModernBertConfig config = ModernBertConfig.Load(System.IO.Path.Combine(path, "config.json"));
        PoolingMode pooling = config.ClassifierPooling == "mean" ? PoolingMode.Mean : PoolingMode.Cls;
        bool normalize = false;
        string modulesPath = System.IO.Path.Combine(path, "modules.json");
        if (File.Exists(modulesPath))
            (pooling, normalize) = ReadSentenceTransformersModules(path, modulesPath, pooling);
        return new ModelFolder(path, config, pooling, normalize);
    }

    private static (PoolingMode Pooling, bool Normalize) ReadSentenceTransformersModules(string folder, string modulesPath, PoolingMode pooling)
    {
        bool normalize = false;
        foreach (JsonNode? module in ReadJson(modulesPath) as JsonArray ?? throw new ModelConfigException($"{modulesPath}: expected a JSON array."))
        {
            string type = module?["type"]?.GetValue<string>() ?? throw new ModelConfigException($"{modulesPath}: a module has no type.");
            string modulePath = module["path"]?.GetValue<string>() ?? "";
            switch (type)
            {
                case "sentence_transformers.models.Transformer":
                    break;
                case "sentence_transformers.models.Pooling":
                    pooling = ReadPooling(System.IO.Path.Combine(folder, modulePath, "config.json"));
                    break;
                case "sentence_transformers.models.Normalize":
                    normalize = true;
                    break;
                default:
                    throw new ModelConfigException($"{modulesPath}: module type '{type}' is not supported (Transformer, Pooling and Normalize are).");
            }
        }
        return (pooling, normalize);
    }

    private static PoolingMode ReadPooling(string path)
    {
        JsonNode config = ReadJson(path);
        bool Mode(string key) => config[key]?.GetValue<bool>() ?? false;
        var supported = new List<PoolingMode>();
        if (Mode("pooling_mode_cls_token"))
            supported.Add(PoolingMode.Cls);
        if (Mode("pooling_mode_mean_tokens"))
            supported.Add(PoolingMode.Mean);
        string[] unsupported = ["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"];
        string? other = unsupported.FirstOrDefault(Mode);
        if (other != null || supported.Count != 1)
            throw new ModelConfigException($"{path}: only one of pooling_mode_cls_token and pooling_mode_mean_tokens is supported" +
                (other != null ? $", not {other}." : "."));
        return supported[0];
    }

    private static JsonNode ReadJson(string path)
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
