using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModernBert.Modeling;

/// <summary>
/// The architecture of a ModernBERT checkpoint, read from its <c>config.json</c>. Both key layouts are accepted:
/// transformers 4.x (<c>global_attn_every_n_layers</c>, <c>global_rope_theta</c>, <c>local_rope_theta</c>) and
/// transformers 5.x (<c>layer_types</c>, <c>rope_parameters</c>). Defaults are those of transformers' ModernBertConfig.
/// </summary>
public sealed record ModernBertConfig
{
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 8192;
    public double NormEps { get; init; } = 1e-5;
    public bool NormBias { get; init; }
    public bool AttentionBias { get; init; }
    public bool MlpBias { get; init; }
    public bool ClassifierBias { get; init; }

    /// <summary>Whether the masked-LM decoder has a bias (decoder_bias; ModernBertForMaskedLM).</summary>
    public bool DecoderBias { get; init; } = true;

    /// <summary>Whether the masked-LM decoder's weight is the token embeddings' (tie_word_embeddings).</summary>
    public bool TieWordEmbeddings { get; init; } = true;
    public string HiddenActivation { get; init; } = "gelu";
    public string ClassifierActivation { get; init; } = "gelu";
    /// <summary>"cls" or "mean": how the classification head pools the sequence.</summary>
    public string ClassifierPooling { get; init; } = "cls";
    /// <summary><see cref="ClassifierPooling"/> as the pooling it names.</summary>
    public PoolingMode ClassifierPoolingMode => ClassifierPooling == "mean" ? PoolingMode.Mean : PoolingMode.Cls;
    /// <summary>Width of the sliding window: a local layer lets token i attend to j when |i - j| &lt;= LocalAttention / 2.</summary>
    public int LocalAttention { get; init; } = 128;
    public required IReadOnlyList<AttentionType> LayerTypes { get; init; }
    public double GlobalRopeTheta { get; init; } = 160_000;
    public double LocalRopeTheta { get; init; } = 10_000;
    public int PadTokenId { get; init; } = 50283;
    public int ClsTokenId { get; init; } = 50281;
    public int SepTokenId { get; init; } = 50282;
    /// <summary>Label names by class index; empty for checkpoints without a classification head.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>transformers' problem_type, e.g. "multi_label_classification"; null when unset.</summary>
    public string? ProblemType { get; init; }
    /// <summary>config.json's architectures, e.g. ModernBertForTokenClassification; empty when unset.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary>
    /// The score activation a sentence-transformers CrossEncoder saved: <c>sentence_transformers.activation_fn</c>
    /// (v4 and later), else <c>sbert_ce_default_activation_function</c> (older), e.g. "torch.nn.modules.activation.Sigmoid";
    /// null when neither is set.
    /// </summary>
    public string? CrossEncoderActivation { get; init; }

    public int HeadDim => HiddenSize / NumAttentionHeads;

    public double RopeTheta(AttentionType type) => type == AttentionType.FullAttention ? GlobalRopeTheta : LocalRopeTheta;

    /// <summary>This configuration as a config.json in the transformers 4.x key layout (what the hub's checkpoints use).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(Labels.Count > 0 ? "ModernBertForSequenceClassification" : "ModernBertModel"),
            ["model_type"] = "modernbert",
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["norm_eps"] = NormEps,
            ["norm_bias"] = NormBias,
            ["attention_bias"] = AttentionBias,
            ["mlp_bias"] = MlpBias,
            ["classifier_bias"] = ClassifierBias,
            ["decoder_bias"] = DecoderBias,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["hidden_activation"] = HiddenActivation,
            ["classifier_activation"] = ClassifierActivation,
            ["classifier_pooling"] = ClassifierPooling,
            ["local_attention"] = LocalAttention,
            ["layer_types"] = new JsonArray(LayerTypes.Select(type => (JsonNode)(type == AttentionType.FullAttention ? "full_attention" : "sliding_attention")).ToArray()),
            ["global_rope_theta"] = GlobalRopeTheta,
            ["local_rope_theta"] = LocalRopeTheta,
            ["pad_token_id"] = PadTokenId,
            ["cls_token_id"] = ClsTokenId,
            ["sep_token_id"] = SepTokenId,
        };
        if (Labels.Count > 0)
            json["id2label"] = new JsonObject(Labels.Select((label, index) => KeyValuePair.Create(index.ToString(CultureInfo.InvariantCulture), (JsonNode?)label)));
        if (ProblemType != null)
            json["problem_type"] = ProblemType;
        if (Architectures.Count > 0)
            json["architectures"] = new JsonArray([.. Architectures.Select(architecture => (JsonNode)architecture)]);
        if (CrossEncoderActivation != null)
            json["sentence_transformers"] = new JsonObject { ["activation_fn"] = CrossEncoderActivation };
        return json;
    }

    public static ModernBertConfig Load(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ModelConfigException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path}: not valid JSON ({e.Message}).");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelConfigException($"{path}: no such file; a model folder needs a config.json.");
        }
        return Parse(json, path);
    }

    public static ModernBertConfig Parse(JsonObject json, string source)
    {
        var reader = new ConfigReader(json, source);
        string modelType = reader.String("model_type", null)
            ?? throw new ModelConfigException($"{source}: missing required key 'model_type'.");
        if (modelType != "modernbert")
            throw new ModelConfigException($"{source}: model_type is '{modelType}', expected 'modernbert'.");

        int layers = reader.RequiredInt("num_hidden_layers");
        var config = new ModernBertConfig
        {
            VocabSize = reader.RequiredInt("vocab_size"),
            HiddenSize = reader.RequiredInt("hidden_size"),
            IntermediateSize = reader.RequiredInt("intermediate_size"),
            NumHiddenLayers = layers,
            NumAttentionHeads = reader.RequiredInt("num_attention_heads"),
            MaxPositionEmbeddings = reader.Int("max_position_embeddings", 8192),
            NormEps = reader.Double("norm_eps", 1e-5),
            NormBias = reader.Bool("norm_bias", false),
            AttentionBias = reader.Bool("attention_bias", false),
            MlpBias = reader.Bool("mlp_bias", false),
            ClassifierBias = reader.Bool("classifier_bias", false),
            DecoderBias = reader.Bool("decoder_bias", true),
            TieWordEmbeddings = reader.Bool("tie_word_embeddings", true),
            HiddenActivation = reader.String("hidden_activation", "gelu")!,
            ClassifierActivation = reader.String("classifier_activation", "gelu")!,
            ClassifierPooling = reader.String("classifier_pooling", "cls")!,
            LocalAttention = reader.Int("local_attention", 128),
            LayerTypes = reader.LayerTypes(layers),
            GlobalRopeTheta = reader.RopeTheta("full_attention", "global_rope_theta", 160_000),
            LocalRopeTheta = reader.RopeTheta("sliding_attention", "local_rope_theta", 10_000),
            PadTokenId = reader.Int("pad_token_id", 50283),
            ClsTokenId = reader.Int("cls_token_id", 50281),
            SepTokenId = reader.Int("sep_token_id", 50282),
            Labels = reader.Labels(),
            ProblemType = reader.String("problem_type", null),
            Architectures = json["architectures"] is JsonArray architectures
                ? [.. architectures.Select(node => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : "")]
                : [],
            // The order sentence-transformers' CrossEncoder reads them in (cross_encoder/CrossEncoder.py).
            CrossEncoderActivation = (json["sentence_transformers"] as JsonObject)?["activation_fn"] is JsonNode saved && saved.GetValueKind() == JsonValueKind.String
                ? saved.GetValue<string>()
                : reader.String("sbert_ce_default_activation_function", null),
        };
        config.Validate(source);
        return config;
    }

    private void Validate(string source)
    {
        void Require(bool condition, string problem)
        {
            if (!condition)
                throw new ModelConfigException($"{source}: {problem}.");
        }

        Require(VocabSize > 0 && HiddenSize > 0 && IntermediateSize > 0 && NumHiddenLayers > 0 && NumAttentionHeads > 0,
            "vocab_size, hidden_size, intermediate_size, num_hidden_layers and num_attention_heads must be positive");
        Require(HiddenSize % NumAttentionHeads == 0,
            $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}");
        Require(HeadDim % 2 == 0, $"the head dimension {HeadDim} must be even for rotary embeddings");
        Require(LocalAttention > 0 && LocalAttention % 2 == 0, $"local_attention {LocalAttention} must be a positive even number");
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings must be positive");
        Require(NormEps > 0, "norm_eps must be positive");
        Require(GlobalRopeTheta > 0 && LocalRopeTheta > 0, "rope theta values must be positive");
        Require(ClassifierPooling is "cls" or "mean", $"classifier_pooling '{ClassifierPooling}' is not 'cls' or 'mean'");
        Require(Activations.IsSupported(HiddenActivation),
            $"hidden_activation '{HiddenActivation}' is not supported ({string.Join(", ", Activations.Supported)})");
        Require(Activations.IsSupported(ClassifierActivation),
            $"classifier_activation '{ClassifierActivation}' is not supported ({string.Join(", ", Activations.Supported)})");
        foreach (int id in new[] { PadTokenId, ClsTokenId, SepTokenId })
            Require(id >= 0 && id < VocabSize, $"special token id {id} is outside the vocabulary of {VocabSize}");
    }

    private sealed class ConfigReader(JsonObject json, string source)
    {
        public int RequiredInt(string key) =>
            json.ContainsKey(key) ? Int(key, 0) : throw new ModelConfigException($"{source}: missing required key '{key}'.");

        public int Int(string key, int fallback) => Value(key, fallback, node =>
            node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int value) ? value : null, "an integer");

        public double Double(string key, double fallback) => Value(key, fallback, node =>
            node.GetValueKind() == JsonValueKind.Number ? node.GetValue<double>() : null, "a number");

        public bool Bool(string key, bool fallback) => Value(key, fallback, node =>
            node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? node.GetValue<bool>() : null, "true or false");

        public string? String(string key, string? fallback) => Value(key, fallback, node =>
            node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null, "a string");

        public IReadOnlyList<AttentionType> LayerTypes(int layers)
        {
            if (json["layer_types"] is JsonArray types)
            {
                if (types.Count != layers)
                    throw new ModelConfigException($"{source}: layer_types has {types.Count} entries for {layers} layers.");
                return types.Select((node, i) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() switch
                {
                    "full_attention" => AttentionType.FullAttention,
                    "sliding_attention" => AttentionType.SlidingAttention,
                    string other => throw new ModelConfigException($"{source}: layer_types[{i}] is '{other}', expected full_attention or sliding_attention."),
                } : throw new ModelConfigException($"{source}: layer_types[{i}] is not a string.")).ToArray();
            }
            int every = Int("global_attn_every_n_layers", 3);
            if (every <= 0)
                throw new ModelConfigException($"{source}: global_attn_every_n_layers must be positive.");
            return Enumerable.Range(0, layers)
                .Select(i => i % every == 0 ? AttentionType.FullAttention : AttentionType.SlidingAttention).ToArray();
        }

        // transformers 5 writes rope_parameters, either per layer type or (one set for all) flat; 4.x writes *_rope_theta.
        public double RopeTheta(string layerType, string legacyKey, double fallback)
        {
            if (json["rope_parameters"] is JsonObject rope)
            {
                JsonObject parameters = rope[layerType] as JsonObject ?? rope;
                string ropeType = parameters["rope_type"]?.GetValue<string>() ?? "default";
                if (ropeType != "default")
                    throw new ModelConfigException($"{source}: rope_type '{ropeType}' for {layerType} is not supported (only 'default').");
                if (parameters["rope_theta"] is JsonNode theta && theta.GetValueKind() == JsonValueKind.Number)
                    return theta.GetValue<double>();
                throw new ModelConfigException($"{source}: rope_parameters has no numeric rope_theta for {layerType}.");
            }
            return Double(legacyKey, fallback);
        }

        public IReadOnlyList<string> Labels()
        {
            if (json["id2label"] is not JsonObject id2label || id2label.Count == 0)
                return [];
            var labels = new string[id2label.Count];
            foreach ((string key, JsonNode? value) in id2label)
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= labels.Length)
                    throw new ModelConfigException($"{source}: id2label key '{key}' is not a class index below {labels.Length}.");
                labels[index] = value?.GetValueKind() == JsonValueKind.String
                    ? value.GetValue<string>()
                    : throw new ModelConfigException($"{source}: id2label['{key}'] is not a string.");
            }
            return labels;
        }

        private T Value<T>(string key, T fallback, Func<JsonNode, object?> convert, string expected)
        {
            JsonNode? node = json[key];
            if (node == null)
                return fallback;
            object? value = convert(node);
            return value is T typed ? typed : throw new ModelConfigException($"{source}: '{key}' must be {expected}, found {node.ToJsonString()}.");
        }
    }
}
