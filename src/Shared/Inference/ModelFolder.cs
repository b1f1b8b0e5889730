using System.Text.Json.Nodes;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>
/// A Hugging Face model folder: config.json, the weights, the tokenizer, and, for sentence-transformers models,
/// modules.json with 1_Pooling/config.json, which decide the default pooling and normalization of embeddings.
/// </summary>
public sealed class ModelFolder
{
    public const string ConfigFileName = "config.json";

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
        ModernBertConfig config = ModernBertConfig.Load(System.IO.Path.Combine(path, ConfigFileName));
        PoolingMode pooling = config.ClassifierPoolingMode;
        bool normalize = false;
        string modulesPath = System.IO.Path.Combine(path, SentenceTransformersModules.FileName);
        if (File.Exists(modulesPath))
        {
            foreach (SentenceTransformersModule module in SentenceTransformersModules.Read(modulesPath))
            {
                switch (module.Type)
                {
                    case SentenceTransformersModule.TransformerType:
                        break;
                    case SentenceTransformersModule.PoolingType:
                        pooling = ReadPooling(System.IO.Path.Combine(path, module.ConfigPath));
                        break;
                    case SentenceTransformersModule.NormalizeType:
                        normalize = true;
                        break;
                    default:
                        throw new ModelConfigException($"{modulesPath}: module type '{module.Type}' is not supported (Transformer, Pooling and Normalize are).");
                }
            }
        }
        return new ModelFolder(path, config, pooling, normalize);
    }

    private static PoolingMode ReadPooling(string path)
    {
        JsonNode config = SentenceTransformersModules.ReadJson(path);
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
}
