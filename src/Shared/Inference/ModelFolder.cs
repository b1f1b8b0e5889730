using ModernBert.Modeling;
using ModernBert.Tokenization;

namespace ModernBert.Inference;

/// <summary>
/// A Hugging Face model folder: config.json, the weights, the tokenizer, and, for sentence-transformers, PyLate and
/// SparseEncoder models, modules.json with each module's folder, and config_sentence_transformers.json /
/// sentence_bert_config.json (<see cref="SentenceTransformers"/>), which decide how its outputs are computed by default.
/// </summary>
public sealed class ModelFolder
{
    public const string ConfigFileName = "config.json";

    private readonly Lazy<ModernBertTokenizer> _tokenizer;

    private ModelFolder(string path, ModernBertConfig config)
    {
        Path = path;
        Config = config;
        Pooling = SentencePooling.Of(config.ClassifierPoolingMode);
        // Loading a 256k-token vocabulary takes up to about 1.7 s (byte-level BPE): once per folder opened.
        _tokenizer = new Lazy<ModernBertTokenizer>(() => ModernBertTokenizer.Load(path, config.VocabSize, SentenceTransformers.DoLowerCase));
    }

    public string Path { get; }

    public ModernBertConfig Config { get; }

    /// <summary>The modules of modules.json, in order; empty without one.</summary>
    public IReadOnlyList<SentenceTransformersModule> Modules { get; private init; } = [];

    /// <summary>The sentence-transformers Pooling module's config when there is one, else classifier_pooling.</summary>
    public SentencePooling Pooling { get; private init; }

    /// <summary>Whether a modules.json lists a Pooling module.</summary>
    public bool HasPoolingModule { get; private init; }

    /// <summary>The Dense modules, in the order modules.json lists them.</summary>
    public IReadOnlyList<DenseModule> Dense { get; private init; } = [];

    /// <summary>Whether the sentence-transformers pipeline ends with a Normalize module.</summary>
    public bool DefaultNormalize { get; private init; }

    /// <summary>The SpladePooling module of a SparseEncoder checkpoint, when there is one.</summary>
    public SpladePoolingModule? SpladePooling { get; private init; }

    public SentenceTransformersConfig SentenceTransformers { get; private init; } = new();

    public bool IsClassifier => Config.Labels.Count > 0;

    /// <summary>The model's tokenizer, loaded on first use, whose pre-tokenized inputs may hold any id below the model's vocab_size.</summary>
    /// <exception cref="InvalidDataException">The tokenizer cannot be loaded, or it has ids the model has no embedding for.</exception>
    public ModernBertTokenizer Tokenizer => _tokenizer.Value;

    public static ModelFolder Open(string path)
    {
        if (!Directory.Exists(path))
            throw new ModelConfigException($"Model folder {path} does not exist.");
        ModernBertConfig config = ModernBertConfig.Load(System.IO.Path.Combine(path, ConfigFileName));
        string modulesPath = System.IO.Path.Combine(path, SentenceTransformersModules.FileName);
        if (!File.Exists(modulesPath))
            return new ModelFolder(path, config) { SentenceTransformers = SentenceTransformersConfig.Read(path) };

        var modules = new List<SentenceTransformersModule>();
        SentencePooling pooling = SentencePooling.Of(config.ClassifierPoolingMode);
        bool hasPooling = false, normalize = false;
        var dense = new List<DenseModule>();
        SpladePoolingModule? splade = null;
        SentenceTransformersModule? previous = null;
        foreach (SentenceTransformersModule module in SentenceTransformersModules.Read(modulesPath))
        {
            string moduleConfig = System.IO.Path.Combine(path, module.ConfigPath);
            // The chain is computed as encoder, pooling, Dense modules, normalization: a module listed after one of a
            // later stage (Normalize before Dense, say) would be applied out of its order.
            if (previous is not null && Stage(module.Type) < Stage(previous.Type))
                throw new ModelConfigException($"{modulesPath}: the {module.Type} module comes after {previous.Type}; " +
                    "only the order Transformer, Pooling, Dense, Normalize is supported.");
            previous = module;
            switch (module.Type)
            {
                case SentenceTransformersModule.TransformerType or SentenceTransformersModule.MlmTransformerType:
                    if (module.Path.Length > 0)
                        throw new ModelConfigException($"{modulesPath}: the {module.Type} module must be the model folder itself, not '{module.Path}'.");
                    break;
                case SentenceTransformersModule.PoolingType:
                    (pooling, hasPooling) = (SentenceTransformersModules.ReadPooling(moduleConfig), true);
                    break;
                case SentenceTransformersModule.DenseType or SentenceTransformersModule.PyLateDenseType:
                    dense.Add(SentenceTransformersModules.ReadDense(System.IO.Path.Combine(path, module.Path), moduleConfig));
                    break;
                case SentenceTransformersModule.NormalizeType:
                    normalize = true;
                    break;
                case SentenceTransformersModule.SpladePoolingType:
                    splade = SentenceTransformersModules.ReadSpladePooling(moduleConfig);
                    break;
                default:
                    throw new ModelConfigException($"{modulesPath}: module type '{module.Type}' is not supported " +
                        "(Transformer, Pooling, Dense, Normalize, PyLate's Dense, MLMTransformer and SpladePooling are).");
            }
            modules.Add(module);
        }
        return new ModelFolder(path, config)
        {
            Modules = modules,
            Pooling = pooling,
            HasPoolingModule = hasPooling,
            Dense = dense,
            DefaultNormalize = normalize,
            SpladePooling = splade,
            SentenceTransformers = SentenceTransformersConfig.Read(path),
        };
    }

    private static int Stage(string moduleType) => moduleType switch
    {
        SentenceTransformersModule.TransformerType or SentenceTransformersModule.MlmTransformerType => 0,
        SentenceTransformersModule.PoolingType or SentenceTransformersModule.SpladePoolingType => 1,
        SentenceTransformersModule.DenseType or SentenceTransformersModule.PyLateDenseType => 2,
        _ => 3,
    };
}
