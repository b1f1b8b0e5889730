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
    public const string DenseType = "sentence_transformers.models.Dense";
    public const string NormalizeType = "sentence_transformers.models.Normalize";
    /// <summary>PyLate's Dense: sentence-transformers' Dense applied to every token's state (pylate/models/Dense.py).</summary>
    public const string PyLateDenseType = "pylate.models.Dense.Dense";
    public const string MlmTransformerType = "sentence_transformers.sparse_encoder.models.MLMTransformer";
    public const string SpladePoolingType = "sentence_transformers.sparse_encoder.models.SpladePooling";

    /// <summary>The module's config.json, relative to the model folder.</summary>
    public string ConfigPath => Path.Length == 0 ? ModelFolder.ConfigFileName : $"{Path}/{ModelFolder.ConfigFileName}";

    /// <summary>Whether the module has a config.json of its own (the transformers' config.json is the model's).</summary>
    public bool HasOwnConfig => Type is PoolingType or DenseType or PyLateDenseType or SpladePoolingType;

    /// <summary>Whether the module has weights of its own, in model.safetensors in its folder.</summary>
    public bool HasOwnWeights => Type is DenseType or PyLateDenseType;
}

/// <summary>
/// A Dense module's config (sentence_transformers/models/Dense.py; PyLate's adds <paramref name="UseResidual"/>) and
/// its folder, which holds its weights.
/// </summary>
public sealed record DenseModule(string Folder, int InFeatures, int OutFeatures, bool Bias, string ActivationFunction, bool UseResidual);

/// <summary>A SpladePooling module's config (sentence_transformers/sparse_encoder/models/SpladePooling.py).</summary>
/// <param name="Strategy">"max" or "sum" over the tokens.</param>
/// <param name="Activation">"relu": log1p(relu(x)); "log1p_relu": log1p(log1p(relu(x))).</param>
public sealed record SpladePoolingModule(string Strategy = "max", string Activation = "relu");

/// <summary>The one reader of a sentence-transformers modules.json and its modules' configs, for the Hub download and the model folder alike.</summary>
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

    /// <summary>
    /// A Pooling module's config.json. The modes are read as Pooling.__init__ reads them: <c>pooling_mode</c> (a
    /// string) when given, else each <c>pooling_mode_*</c> flag, with mean on by default.
    /// </summary>
    public static SentencePooling ReadPooling(string path)
    {
        JsonNode config = ReadJson(path);
        bool includePrompt = Bool(config, "include_prompt", true, path);
        if (config["pooling_mode"] is JsonValue named && named.TryGetValue(out string? mode))
        {
            // PoolingMode's names are Pooling's own: cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken.
            PoolingMode single = EnumNames.Names<PoolingMode>().Contains(mode.ToLowerInvariant()) && EnumNames.TryParse(mode, out PoolingMode parsed)
                ? parsed
                : throw new ModelConfigException($"{path}: pooling_mode '{mode}' is not one of {string.Join(", ", EnumNames.Names<PoolingMode>())}.");
            return new SentencePooling([single], includePrompt);
        }
        (string Key, PoolingMode Mode, bool Default)[] flags =
        [
            ("pooling_mode_cls_token", PoolingMode.Cls, false),
            ("pooling_mode_max_tokens", PoolingMode.Max, false),
            ("pooling_mode_mean_tokens", PoolingMode.Mean, true),
            ("pooling_mode_mean_sqrt_len_tokens", PoolingMode.MeanSqrtLenTokens, false),
            ("pooling_mode_weightedmean_tokens", PoolingMode.WeightedMean, false),
            ("pooling_mode_lasttoken", PoolingMode.LastToken, false),
        ];
        PoolingMode[] modes = [.. flags.Where(flag => Bool(config, flag.Key, flag.Default, path)).Select(flag => flag.Mode)];
        if (modes.Length == 0)
            throw new ModelConfigException($"{path}: no pooling mode is set.");
        return new SentencePooling(modes, includePrompt);
    }

    /// <summary>A Dense module's config.json; the activation is checked against the ones <see cref="DenseActivations"/> knows.</summary>
    public static DenseModule ReadDense(string folder, string path)
    {
        JsonNode config = ReadJson(path);
        int Int(string key) => config[key] is JsonValue value && value.TryGetValue(out int number) && number > 0
            ? number : throw new ModelConfigException($"{path}: {key} must be a positive integer.");
        // Dense's default activation is nn.Tanh() (sentence_transformers/models/Dense.py).
        string activation = String(config, "activation_function", path) ?? "torch.nn.modules.activation.Tanh";
        if (!DenseActivations.IsSupported(activation))
            throw new ModelConfigException($"{path}: activation_function '{activation}' is not supported ({string.Join(", ", DenseActivations.Supported)}).");
        return new DenseModule(folder, Int("in_features"), Int("out_features"), Bool(config, "bias", true, path), activation,
            Bool(config, "use_residual", false, path));
    }

    /// <summary>A SpladePooling module's config.json.</summary>
    public static SpladePoolingModule ReadSpladePooling(string path)
    {
        JsonNode config = ReadJson(path);
        string strategy = String(config, "pooling_strategy", path) ?? "max";
        string activation = String(config, "activation_function", path) ?? "relu";
        if (strategy is not ("max" or "sum"))
            throw new ModelConfigException($"{path}: pooling_strategy '{strategy}' is not max or sum.");
        if (activation is not ("relu" or "log1p_relu"))
            throw new ModelConfigException($"{path}: activation_function '{activation}' is not relu or log1p_relu.");
        return new SpladePoolingModule(strategy, activation);
    }

    internal static string? String(JsonNode config, string key, string path) => config[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? text) => text,
        _ => throw new ModelConfigException($"{path}: {key} must be a string."),
    };

    private static bool Bool(JsonNode config, string key, bool fallback, string path) => config[key] switch
    {
        null => fallback,
        JsonValue value when value.TryGetValue(out bool flag) => flag,
        _ => throw new ModelConfigException($"{path}: {key} must be true or false."),
    };

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
