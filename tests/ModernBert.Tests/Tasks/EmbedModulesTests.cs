using System.Text.Json.Nodes;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// The embed task over a sentence-transformers folder (Transformer, Pooling with every mode and include_prompt false,
/// Dense with Tanh, Normalize) against the same chain computed here from the reference hidden states and the weights.
/// </summary>
public sealed class EmbedModulesTests
{
    private const int Hidden = 64, Out = 24;

    [Fact]
    public void EveryPoolingModeThenDenseThenNormalizeMatchesTheReference()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
             {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """)
            .Json("1_Pooling/config.json", """
                {"word_embedding_dimension": 64, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true,
                 "pooling_mode_max_tokens": true, "pooling_mode_mean_sqrt_len_tokens": true, "pooling_mode_weightedmean_tokens": true,
                 "pooling_mode_lasttoken": true, "include_prompt": false}
                """)
            .Json("config_sentence_transformers.json", """{"prompts": {"query": "query: ", "document": ""}, "default_prompt_name": "query"}""")
            .Json("sentence_bert_config.json", """{"max_seq_length": 512, "do_lower_case": false}""");
        (float[,] weight, float[]? bias) = folder.Dense("2_Dense", 6 * Hidden, Out, bias: true, "torch.nn.modules.activation.Tanh", seed: 7);
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = EmbedTask.Instance.Configure(new EmbedOptions()).ForModel(model);
        int[] promptIds = ModernBertTokenizer.Load(folder.Path).Encode("query: ");
        int promptLength = promptIds.Length - 1;

        Assert.Equal(new TaskTokenization(512, "query: "), task.Tokenization);
        Assert.Contains("\"prompt\":\"query: \"", task.OptionsJson, StringComparison.Ordinal);
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using IInferenceModel embedding = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(8).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        var rows = embedding.Start(chunks).Complete().Cast<EmbeddingRow>().ToArray();

        for (int k = 0; k < chunks.Length; k++)
        {
            float[] pooled = Pool(reference.Hidden[k], promptLength);
            float[] expected = ReferenceEmbeddings.Normalize(DenseTanh(pooled, weight, bias!));
            ReferenceEmbeddings.AssertClose(expected, rows[k].Embedding, $"sequence {k} ({reference.InputIds[k].Length} tokens)");
        }
    }

    [Fact]
    public void AnExplicitPoolingModeKeepsTheModelsIncludePrompt()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            """)
            .Json("1_Pooling/config.json", """{"word_embedding_dimension": 64, "pooling_mode_cls_token": true, "include_prompt": false}""")
            .Json("config_sentence_transformers.json", """{"prompts": {"query": "query: "}, "default_prompt_name": "query"}""");
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = EmbedTask.Instance.Configure(new EmbedOptions(Pooling: PoolingMode.Mean, Normalize: false)).ForModel(model);
        int promptLength = ModernBertTokenizer.Load(folder.Path).Encode("query: ").Length - 1;
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using IInferenceModel embedding = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(4).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        var rows = embedding.Start(chunks).Complete().Cast<EmbeddingRow>().ToArray();

        for (int k = 0; k < chunks.Length; k++)
        {
            float[] mean = Pool(reference.Hidden[k], promptLength)[(2 * Hidden)..(3 * Hidden)];
            ReferenceEmbeddings.AssertClose(mean, rows[k].Embedding, $"sequence {k}");
        }
    }

    [Fact]
    public void AnUnknownPromptNameIsAnErrorListingTheKnownOnes()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("config_sentence_transformers.json", """{"prompts": {"query": "query: ", "passage": "passage: "}}""");

        var error = Assert.Throws<ConfigurationException>(() =>
            EmbedTask.Instance.Configure(new EmbedOptions(PromptName: "doc")).ForModel(ModelFolder.Open(folder.Path)));

        Assert.Equal("Prompt 'doc' is unknown; the model's prompts are passage, query.", error.Message);
    }

    [Fact]
    public void ModulesOutOfTheOrderTheChainIsComputedInAreAnErrorNamingThem()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Normalize", "type": "sentence_transformers.models.Normalize"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """);
        folder.Dense("2_Dense", Hidden, Out, bias: true, "torch.nn.modules.activation.Tanh", seed: 7);

        var error = Assert.Throws<ModelConfigException>(() => ModelFolder.Open(folder.Path));

        Assert.Equal($"{Path.Combine(folder.Path, "modules.json")}: the {SentenceTransformersModule.DenseType} module comes after " +
            $"{SentenceTransformersModule.NormalizeType}; only the order Transformer, Pooling, Dense, Normalize is supported.", error.Message);
    }

    [Fact]
    public async Task DoLowerCaseLowercasesTextsAsSentenceTransformersDoesWithALowercaseNormalizerFirst()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("sentence_bert_config.json", """{"max_seq_length": 512, "do_lower_case": true}""");
        // What sentence-transformers 6 makes of the tokenizer: Lowercase, then the tokenizer's own normalizer.
        JsonObject json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "tokenizer.json")))!.AsObject();
        JsonNode lowercase = new JsonObject { ["type"] = "Lowercase" };
        json["normalizer"] = json["normalizer"] is { } own
            ? new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(lowercase, own.DeepClone()) }
            : lowercase;
        folder.Json("lowercased/tokenizer.json", json.ToJsonString());
        string lowercased = Path.Combine(folder.Path, "lowercased", "tokenizer.json");

        ModernBertTokenizer tokenizer = ModelFolder.Open(folder.Path).Tokenizer;

        IReadOnlyList<string> texts = [.. MultilingualTexts.All, "HELLO [MASK] World", "İSTANBUL 𐐀"];
        await HuggingFaceEncodings.AssertSameAsync([.. texts.Select(text => new EncodeRequest(lowercased, text))], _ => tokenizer);
        Assert.Equal(ModernBertTokenizer.Load(folder.Path).Encode("hello world"), tokenizer.Encode("HELLO World"));
    }

    /// <summary>sentence_transformers/models/Pooling.py on one unpadded sequence: cls, max, mean, mean_sqrt_len, weightedmean, lasttoken.</summary>
    private static float[] Pool(float[,] hidden, int promptLength)
    {
        int length = hidden.GetLength(0);
        var result = new List<float>();
        bool Pooled(int i) => i >= promptLength;
        int count = Enumerable.Range(0, length).Count(Pooled);
        double[] Column(Func<int, double> weightOf, Func<double, double, double> fold, double seed) =>
            [.. Enumerable.Range(0, Hidden).Select(j => Enumerable.Range(0, length).Aggregate(seed, (acc, i) => fold(acc, hidden[i, j] * weightOf(i))))];
        result.AddRange(Enumerable.Range(0, Hidden).Select(j => hidden[0, j]));
        result.AddRange(Enumerable.Range(0, Hidden).Select(j => (float)Enumerable.Range(0, length).Select(i => Pooled(i) ? hidden[i, j] : -1e9).Max()));
        double[] sum = Column(i => Pooled(i) ? 1 : 0, (a, b) => a + b, 0);
        result.AddRange(sum.Select(s => (float)(s / Math.Max(count, 1e-9))));
        result.AddRange(sum.Select(s => (float)(s / Math.Sqrt(Math.Max(count, 1e-9)))));
        double weights = Enumerable.Range(0, length).Where(Pooled).Sum(i => i + 1.0);
        double[] weighted = Column(i => Pooled(i) ? i + 1 : 0, (a, b) => a + b, 0);
        result.AddRange(weighted.Select(s => (float)(s / Math.Max(weights, 1e-9))));
        result.AddRange(Enumerable.Range(0, Hidden).Select(j => count > 0 ? hidden[length - 1, j] : 0f));
        return [.. result];
    }

    private static float[] DenseTanh(float[] input, float[,] weight, float[] bias) =>
        [.. Enumerable.Range(0, weight.GetLength(0)).Select(i =>
            (float)Math.Tanh(bias[i] + Enumerable.Range(0, input.Length).Sum(j => (double)weight[i, j] * input[j])))];
}
