using System.Text.Json.Nodes;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>
/// config_sentence_transformers.json and sentence_bert_config.json of a model folder: the prompts
/// (SentenceTransformer's <c>prompts</c> and <c>default_prompt_name</c>), the window length (<c>max_seq_length</c>),
/// and PyLate's ColBERT settings (pylate/models/colbert.py reads them from the same file).
/// </summary>
public sealed record SentenceTransformersConfig
{
    public const string FileName = "config_sentence_transformers.json";
    public const string BertConfigFileName = "sentence_bert_config.json";

    public IReadOnlyDictionary<string, string> Prompts { get; init; } = new Dictionary<string, string>();

    public string? DefaultPromptName { get; init; }

    /// <summary>sentence_bert_config.json's max_seq_length: the Transformer module's truncation length.</summary>
    public int? MaxSeqLength { get; init; }

    /// <summary>sentence_bert_config.json's do_lower_case: the Transformer module lowercases texts before its tokenizer.</summary>
    public bool DoLowerCase { get; init; }

    public string? QueryPrefix { get; init; }

    public string? DocumentPrefix { get; init; }

    public int? QueryLength { get; init; }

    public int? DocumentLength { get; init; }

    public bool? DoQueryExpansion { get; init; }

    public bool? AttendToExpansionTokens { get; init; }

    public IReadOnlyList<string>? SkiplistWords { get; init; }

    /// <summary>The settings in <paramref name="folder"/>; absent files leave their settings unset.</summary>
    public static SentenceTransformersConfig Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        string bertPath = Path.Combine(folder, BertConfigFileName);
        JsonNode? bertConfig = File.Exists(bertPath) ? SentenceTransformersModules.ReadJson(bertPath) : null;
        int? maxSeqLength = bertConfig is null ? null : Int(bertConfig, "max_seq_length", bertPath);
        bool doLowerCase = bertConfig is not null && Bool(bertConfig, "do_lower_case", bertPath) == true;
        if (!File.Exists(path))
            return new SentenceTransformersConfig { MaxSeqLength = maxSeqLength, DoLowerCase = doLowerCase };
        JsonNode config = SentenceTransformersModules.ReadJson(path);
        var prompts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (config["prompts"] is JsonObject entries)
        {
            foreach ((string name, JsonNode? text) in entries)
                prompts[name] = text is JsonValue value && value.TryGetValue(out string? prompt)
                    ? prompt : throw new ModelConfigException($"{path}: prompt '{name}' is not a string.");
        }
        string? defaultName = SentenceTransformersModules.String(config, "default_prompt_name", path);
        if (defaultName != null && !prompts.ContainsKey(defaultName))
            throw new ModelConfigException($"{path}: default_prompt_name '{defaultName}' is not one of the prompts ({string.Join(", ", prompts.Keys)}).");
        return new SentenceTransformersConfig
        {
            Prompts = prompts,
            DefaultPromptName = defaultName,
            MaxSeqLength = maxSeqLength,
            DoLowerCase = doLowerCase,
            QueryPrefix = SentenceTransformersModules.String(config, "query_prefix", path),
            DocumentPrefix = SentenceTransformersModules.String(config, "document_prefix", path),
            QueryLength = Int(config, "query_length", path),
            DocumentLength = Int(config, "document_length", path),
            DoQueryExpansion = Bool(config, "do_query_expansion", path),
            AttendToExpansionTokens = Bool(config, "attend_to_expansion_tokens", path),
            SkiplistWords = config["skiplist_words"] is JsonArray words
                ? [.. words.Select(word => word is JsonValue value && value.TryGetValue(out string? text) ? text
                    : throw new ModelConfigException($"{path}: skiplist_words holds a value that is not a string."))]
                : null,
        };
    }

    /// <summary>
    /// The prompt text for a name, or throws <see cref="ConfigurationException"/> listing the known names
    /// (SentenceTransformer.encode raises the same for an unknown prompt_name).
    /// </summary>
    public string Prompt(string name) => Prompts.TryGetValue(name, out string? prompt) ? prompt
        : throw new ConfigurationException(Prompts.Count == 0
            ? $"Prompt '{name}' is unknown: the model has no prompts (config_sentence_transformers.json)."
            : $"Prompt '{name}' is unknown; the model's prompts are {string.Join(", ", Prompts.Keys.Order(StringComparer.Ordinal))}.");

    private static int? Int(JsonNode config, string key, string path) => config[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out int number) && number > 0 => number,
        _ => throw new ModelConfigException($"{path}: {key} must be a positive integer."),
    };

    private static bool? Bool(JsonNode config, string key, string path) => config[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out bool flag) => flag,
        _ => throw new ModelConfigException($"{path}: {key} must be true or false."),
    };
}
