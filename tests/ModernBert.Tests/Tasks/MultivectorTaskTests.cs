using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Coordinator.Corpus;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tasks.Multivector;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using ModernBert.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// The multivector task over a PyLate folder (Transformer, PyLate Dense 64 to 16 without bias) against the projection
/// and normalization computed here from the reference hidden states, with the skiplist's tokens dropped; queries
/// against <see cref="PaddedReferenceEncoder"/> with PyLate's attention mask.
/// </summary>
public sealed class MultivectorTaskTests
{
    private const int Hidden = 64, Out = 16;

    [Fact]
    public void DocumentsAreProjectedNormalizedPerTokenWithoutSkiplistTokens()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using var folder = new SentenceTransformersFolder();
        // Two words whose tokens occur in the reference sequences, so that dropping them is seen.
        int[] skipped = [reference.InputIds[4][3], reference.InputIds[5][10]];
        string[] words = [.. skipped.Select(id => TokenOf(folder.Path, id))];
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json", JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["query_prefix"] = "[unused0]", ["document_prefix"] = "[unused1]", ["query_length"] = 12, ["document_length"] = 300,
                ["attend_to_expansion_tokens"] = true, ["skiplist_words"] = words,
            }));
        (float[,] weight, _) = folder.Dense("1_Dense", Hidden, Out, bias: false, "torch.nn.modules.linear.Identity", seed: 11);
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions()).ForModel(model);

        Assert.Equal(new TaskTokenization(300, Prompt: "", PrefixToken: "[unused1]", StripText: true), task.Tokenization);
        using IInferenceModel multivector = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(8).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        MultivectorRow[] rows = [.. multivector.Start(chunks).Complete().Cast<MultivectorRow>()];

        for (int k = 0; k < chunks.Length; k++)
        {
            int[] kept = [.. Enumerable.Range(0, chunks[k].InputIds.Length).Where(t => !skipped.Contains(chunks[k].InputIds[t]))];
            Assert.Equal(kept.Length, rows[k].Embeddings.Length);
            for (int i = 0; i < kept.Length; i++)
                ReferenceEmbeddings.AssertClose(Projected(weight, reference.Hidden[k], kept[i]), rows[k].Embeddings[i], $"sequence {k} token {kept[i]}");
        }
        Assert.True(rows[4].Embeddings.Length < chunks[4].InputIds.Length);
        Assert.True(rows[5].Embeddings.Length < chunks[5].InputIds.Length);
    }

    [Fact]
    public void QueriesTakeTheQueryPrefixLengthAndExpansion()
    {
        using SentenceTransformersFolder folder = PyLateFolder();
        folder.Json("config_sentence_transformers.json", """{"query_prefix": "[unused0]", "query_length": 12, "attend_to_expansion_tokens": true}""");

        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions(Query: true)).ForModel(ModelFolder.Open(folder.Path));

        Assert.Equal(new TaskTokenization(12, Prompt: "", PrefixToken: "[unused0]", Query: true, ExpandWithMask: true, StripText: true), task.Tokenization);
        Assert.Contains("\"expansion\":true", task.OptionsJson, StringComparison.Ordinal);
    }

    [Fact]
    public void AWindowLongerThanTheModelsPositionsIsRefusedWhenAskedForAndCutWhenTheCheckpointSetsIt()
    {
        using SentenceTransformersFolder folder = PyLateFolder();
        folder.Json("config_sentence_transformers.json", """{"document_prefix": "[unused1]", "document_length": 10000}""");
        ModelFolder model = ModelFolder.Open(folder.Path);

        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions()).ForModel(model);
        var error = Assert.Throws<ModelConfigException>(() => MultivectorTask.Instance.Configure(new MultivectorOptions(MaxTokens: 8193)).ForModel(model));

        Assert.Equal(model.Config.MaxPositionEmbeddings, task.Tokenization.MaxTokens);
        Assert.StartsWith("A window of 8193 tokens (--max-tokens) is longer than the 8192 positions of ", error.Message);
    }

    [Theory]
    [InlineData(false, null, null, "query: ", "query")]
    [InlineData(true, null, null, "query: ", "query")]
    [InlineData(false, "passage", null, "passage: ", "passage")]
    [InlineData(true, "passage", "instruct: ", "instruct: ", null)]
    [InlineData(true, "passage", "passage: ", "passage: ", "passage")]
    [InlineData(false, null, "query: ", "query: ", null)]
    public void QueriesAndDocumentsTakeThePromptAsColBertEncodeChoosesIt(bool query, string? promptName, string? prompt, string applied, string? appliedName)
    {
        using SentenceTransformersFolder folder = PyLateFolder();
        folder.Json("config_sentence_transformers.json", """
            {"query_prefix": "[unused0]", "document_prefix": "[unused1]", "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query"}
            """);
        ModelFolder model = ModelFolder.Open(folder.Path);

        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions(Query: query, PromptName: promptName, Prompt: prompt)).ForModel(model);
        var unknown = Assert.Throws<ConfigurationException>(() =>
            MultivectorTask.Instance.Configure(new MultivectorOptions(Query: query, PromptName: "title")).ForModel(model));

        Assert.Equal((applied, query ? "[unused0]" : "[unused1]"), (task.Tokenization.Prompt, task.Tokenization.PrefixToken));
        Assert.Contains($"\"prompt\":\"{applied}\"", task.OptionsJson, StringComparison.Ordinal);
        Assert.Equal(appliedName, JsonNode.Parse(task.OptionsJson)!["prompt_name"]?.GetValue<string>());
        Assert.Contains("'title'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithoutPyLatesDenseIsNoColBertCheckpoint()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            """).Json("1_Pooling/config.json", """{"word_embedding_dimension": 64, "pooling_mode_mean_tokens": true}""");

        var error = Assert.Throws<ModelConfigException>(() => MultivectorTask.Instance.Configure(new MultivectorOptions()).ForModel(ModelFolder.Open(folder.Path)));

        Assert.Equal($"{Path.Combine(folder.Path, "modules.json")} lists no PyLate Dense module (pylate.models.Dense.Dense): it is not a PyLate ColBERT checkpoint.",
            error.Message);
    }

    [Fact]
    public void TheReferenceEncoderMatchesTransformersOnThePaddedReferenceSequences()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        int length = reference.InputIds.Max(ids => ids.Length);
        using var encoder = new PaddedReferenceEncoder(Fixtures.Require("tiny-modernbert-mlm"));

        float[][,] hidden = encoder.LastHiddenState([.. reference.InputIds.Select(ids => Padded(ids, length))], [.. reference.InputIds.Select(ids => ids.Length)]);

        for (int k = 0; k < ReferenceOutputs.Count; k++)
            for (int t = 0; t < reference.InputIds[k].Length; t++)
                ReferenceEmbeddings.AssertClose(Row(reference.Hidden[k], t), Row(hidden[k], t), $"sequence {k} token {t}");
    }

    /// <summary>
    /// Queries expanded with [MASK] to query_length, as PyLate's ColBERT encodes them: without attend_to_expansion_tokens
    /// (PyLate's default) the [MASK]s have attention mask 0 and their outputs are kept; with it, every token attends to
    /// them. The expected vectors come from <see cref="PaddedReferenceEncoder"/> with that mask, then the Dense
    /// projection and normalization computed here. Among the queries: one long enough to be truncated (no expansion),
    /// one with "[MASK]" in its text (an attended token), and short ones whose last [MASK]s are farther than the
    /// sliding window from every attended token.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExpandedQueriesAttendToTheirMaskTokensOnlyWhenTheModelSaysSo(bool attendToExpansion)
    {
        const int queryLength = 24;
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json", JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["query_prefix"] = "[unused0]", ["query_length"] = queryLength,
                ["attend_to_expansion_tokens"] = attendToExpansion,
            }));
        (float[,] weight, _) = folder.Dense("1_Dense", Hidden, Out, bias: false, "torch.nn.modules.linear.Identity", seed: 12);
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions(Query: true)).ForModel(model);
        Assert.Equal(new TaskTokenization(queryLength, Prompt: "", PrefixToken: "[unused0]", Query: true, ExpandWithMask: true,
            AttendToExpansion: attendToExpansion, StripText: true),
            task.Tokenization);
        Assert.Contains($"\"attend_to_expansion\":{(attendToExpansion ? "true" : "false")}", task.OptionsJson, StringComparison.Ordinal);

        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);
        var documents = new DocumentTokenizer(tokenizer, new DocumentWindows(queryLength, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            MultivectorTask.Instance.Input, task.Tokenization);
        string[] queries = ["what is colbert", "a", "late interaction [MASK] retrieval models", string.Join(' ', Enumerable.Repeat("words", 40))];
        DocumentChunk[] chunks = [.. queries.Select((text, k) => Assert.Single(documents.Tokenize(new InputDocument($"q{k}", text, null, "c:1")).Chunks!))];
        int[] attended = [.. chunks.Select(chunk => chunk.AttendedTokens ?? chunk.InputIds.Length)];
        Assert.All(chunks, chunk => Assert.Equal(queryLength, chunk.InputIds.Length));
        // [CLS], the prefix, the query's tokens and [SEP] are attended (the last query is truncated to the query length).
        Assert.Equal([.. queries.Select(text => attendToExpansion ? queryLength : Math.Min(tokenizer.Encode(text).Length + 1, queryLength))], attended);
        Assert.Contains(queries, text => tokenizer.Encode(text).Length + 1 < queryLength - 8);

        using IInferenceModel multivector = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        MultivectorRow[] rows = [.. multivector.Start(chunks).Complete().Cast<MultivectorRow>()];

        using var encoder = new PaddedReferenceEncoder(folder.Path);
        float[][,] expected = encoder.LastHiddenState([.. chunks.Select(chunk => chunk.InputIds)], attended);
        float[][,] everyTokenAttended = encoder.LastHiddenState([.. chunks.Select(chunk => chunk.InputIds)], [.. chunks.Select(_ => queryLength)]);
        double maskEffect = 0;
        for (int k = 0; k < chunks.Length; k++)
        {
            Assert.Equal(queryLength, rows[k].Embeddings.Length);
            for (int t = 0; t < queryLength; t++)
            {
                ReferenceEmbeddings.AssertClose(Projected(weight, expected[k], t), rows[k].Embeddings[t], $"query {k} token {t}");
                maskEffect = Math.Max(maskEffect, Row(expected[k], t).Zip(Row(everyTokenAttended[k], t), (a, b) => Math.Abs(a - b)).Max());
            }
        }
        Assert.Equal(attendToExpansion, maskEffect < 1e-6);
    }

    [Fact]
    public void DenseModulesWithUseResidualAddTheirInputThroughTheResidualWeightWhereTheWidthsDiffer()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json", """{"document_prefix": "[unused1]", "skiplist_words": []}""");
        (float[,] first, float[,]? residual) = folder.ResidualDense("1_Dense", Hidden, Out, seed: 21);
        (float[,] second, _) = folder.ResidualDense("2_Dense", Out, Out, seed: 22);
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions()).ForModel(model);
        using IInferenceModel multivector = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(4).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];

        MultivectorRow[] rows = [.. multivector.Start(chunks).Complete().Cast<MultivectorRow>()];

        for (int k = 0; k < chunks.Length; k++)
        {
            Assert.Equal(chunks[k].InputIds.Length, rows[k].Embeddings.Length);
            for (int t = 0; t < chunks[k].InputIds.Length; t++)
            {
                float[] state = Row(reference.Hidden[k], t);
                float[] projected = Add(Times(first, state), Times(residual!, state));
                float[] expected = ReferenceEmbeddings.Normalize(Add(Times(second, projected), projected));
                ReferenceEmbeddings.AssertClose(expected, rows[k].Embeddings[t], $"sequence {k} token {t}");
            }
        }
    }

    private static float[] Times(float[,] weight, float[] input) =>
        [.. Enumerable.Range(0, weight.GetLength(0)).Select(o => (float)Enumerable.Range(0, input.Length).Sum(j => (double)weight[o, j] * input[j]))];

    private static float[] Add(float[] a, float[] b) => [.. a.Zip(b, (x, y) => x + y)];

    /// <summary>PyLate's Dense projection (no bias, identity) of a token's hidden state, L2-normalized.</summary>
    private static float[] Projected(float[,] weight, float[,] hidden, int token) => ReferenceEmbeddings.Normalize([.. Enumerable.Range(0, Out).Select(o =>
        (float)Enumerable.Range(0, Hidden).Sum(j => (double)weight[o, j] * hidden[token, j]))]);

    private static float[] Row(float[,] matrix, int row) => [.. Enumerable.Range(0, matrix.GetLength(1)).Select(j => matrix[row, j])];

    private static int[] Padded(int[] ids, int length) => [.. ids, .. new int[length - ids.Length]];

    /// <summary>The vocabulary's string for an id, from tokenizer.json (model.vocab).</summary>
    private static string TokenOf(string folder, int id)
    {
        using JsonDocument tokenizer = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        return tokenizer.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject().First(entry => entry.Value.GetInt32() == id).Name;
    }

    /// <summary>The layout PyLate saves: Transformer, then its Dense.</summary>
    private static SentenceTransformersFolder PyLateFolder()
    {
        var folder = new SentenceTransformersFolder();
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """);
        folder.Dense("1_Dense", Hidden, Out, bias: false, "torch.nn.modules.linear.Identity", seed: 1);
        return folder;
    }
}
