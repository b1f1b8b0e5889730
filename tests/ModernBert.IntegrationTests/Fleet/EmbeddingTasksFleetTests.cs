using System.Text;
using System.Text.Json;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Each embedding task with its new options through <c>run</c> twice (<see cref="TaskRunsBothWays"/>): on the embedded
/// default (one process, local files) and on RabbitMQ + Azurite with a worker process. Both manifests record the same
/// applied options and list files holding every window exactly once, read back with DuckDB, with the same values. The
/// values themselves are checked against independent computations in the unit tests (EmbedModulesTests,
/// SparseTaskTests, MultivectorTaskTests), and queries' also here.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class EmbeddingTasksFleetTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture) : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly SentenceTransformersFolder _model = new();

    public void Dispose()
    {
        _model.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task EmbedWithAPromptDenseNormalizeAndInt8RangesFromTheCorpus()
    {
        _model.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
             {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """)
            .Json("1_Pooling/config.json", """{"word_embedding_dimension": 64, "pooling_mode_mean_tokens": true, "include_prompt": false}""")
            .Json("config_sentence_transformers.json", """{"prompts": {"query": "query: ", "document": "search_document: "}, "default_prompt_name": "query"}""")
            .Json("sentence_bert_config.json", """{"max_seq_length": 48}""");
        _model.Dense("2_Dense", 64, 32, bias: true, "torch.nn.modules.activation.Tanh", seed: 3);

        (JsonElement manifest, _, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
            ["--task", "embed", "--prompt-name", "document", "--precision", "int8"], "embedding");

        JsonElement options = manifest.GetProperty("task_options");
        Assert.Equal("search_document: ", options.GetProperty("prompt").GetString());
        Assert.Equal(48, options.GetProperty("max_tokens").GetInt32());
        Assert.Equal(32, options.GetProperty("ranges")[0].GetArrayLength());
        Assert.All(rows.Values, row => Assert.Equal(32, row.GetProperty("embedding").GetArrayLength()));
        Assert.Contains(rows.Keys, key => key.Item2 > 0);
    }

    [Fact]
    public async Task SparseVectorsOfAMaskedLmCheckpoint()
    {
        (JsonElement manifest, _, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
            ["--task", "sparse", "--top-k", "24", "--max-tokens", "48"], "indices", "values");

        Assert.Equal(24, manifest.GetProperty("task_options").GetProperty("top_k").GetInt32());
        Assert.All(rows.Values, row =>
        {
            int[] indices = [.. row.GetProperty("indices").EnumerateArray().Select(index => index.GetInt32())];
            Assert.InRange(indices.Length, 1, 24);
            Assert.Equal(indices.Order(), indices);
        });
    }

    [Fact]
    public async Task MultivectorDocumentsOfAPyLateCheckpoint()
    {
        _model.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json", """
                {"query_prefix": "[unused0]", "document_prefix": "[unused1]", "document_length": 40, "prompts": {"passage": "passage: "}}
                """);
        _model.Dense("1_Dense", 64, 16, bias: false, "torch.nn.modules.linear.Identity", seed: 5);

        (JsonElement manifest, _, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
            ["--task", "multivector", "--prompt-name", "passage"], "embeddings", "token_count");

        Assert.Equal("[unused1]", manifest.GetProperty("task_options").GetProperty("prefix").GetString());
        Assert.Equal("passage: ", manifest.GetProperty("task_options").GetProperty("prompt").GetString());
        Assert.All(rows.Values, row =>
        {
            Assert.Equal(row.GetProperty("token_count").GetInt32(), row.GetProperty("embeddings").GetArrayLength());
            Assert.All(row.GetProperty("embeddings").EnumerateArray(), vector => Assert.Equal(16, vector.GetArrayLength()));
        });
    }

    /// <summary>
    /// Queries of a PyLate checkpoint whose [MASK] expansion is not attended (attend_to_expansion_tokens false, PyLate's
    /// default): every query comes back with query_length vectors, the expansion's included, each equal to the Dense
    /// projection, normalized, of <see cref="PaddedReferenceEncoder"/>'s hidden state under PyLate's attention mask
    /// (1 on [CLS], the prefix, the text's tokens and [SEP], 0 on the [MASK]s), so the mask reaches the worker.
    /// </summary>
    [Fact]
    public async Task MultivectorQueriesWhoseExpansionIsNotAttended()
    {
        const int queryLength = 32;
        _model.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json",
                $$"""{"query_prefix": "[unused0]", "query_length": {{queryLength}}, "do_query_expansion": true, "attend_to_expansion_tokens": false}""");
        (float[,] weight, _) = _model.Dense("1_Dense", 64, 16, bias: false, "torch.nn.modules.linear.Identity", seed: 6);

        (JsonElement manifest, _, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
            ["--task", "multivector", "--query", "--precision", "float32"], "embeddings", "token_count");

        JsonElement options = manifest.GetProperty("task_options");
        Assert.False(options.GetProperty("attend_to_expansion").GetBoolean());
        Assert.Equal(queryLength, options.GetProperty("max_tokens").GetInt32());
        var tokenizer = ModernBertTokenizer.Load(_model.Path);
        Assert.True(tokenizer.TryGetTokenId("[unused0]", out int prefix));
        Assert.True(tokenizer.TryGetTokenId("[MASK]", out int mask));
        var queries = new List<int[]>();
        var attended = new List<int>();
        var actual = new List<JsonElement>();
        foreach ((string id, string text) in CorpusTexts())
        {
            int[] ids = tokenizer.Encode(text);
            int[] shaped = ids.Length + 1 <= queryLength ? [ids[0], prefix, .. ids[1..]]
                : [ids[0], prefix, .. ids.AsSpan(1, queryLength - 3), tokenizer.SepTokenId];
            queries.Add([.. shaped, .. Enumerable.Repeat(mask, queryLength - shaped.Length)]);
            attended.Add(shaped.Length);
            actual.Add(Assert.Single(rows, row => row.Key.Item1 == id).Value);
        }
        Assert.Contains(attended, count => count < queryLength - 8);
        using var encoder = new PaddedReferenceEncoder(_model.Path);
        float[][,] hidden = encoder.LastHiddenState([.. queries], [.. attended]);
        for (int k = 0; k < queries.Count; k++)
        {
            JsonElement[] vectors = [.. actual[k].GetProperty("embeddings").EnumerateArray()];
            Assert.Equal(queryLength, vectors.Length);
            for (int t = 0; t < queryLength; t++)
            {
                double[] expected = [.. Enumerable.Range(0, 16).Select(o => Enumerable.Range(0, 64).Sum(j => (double)weight[o, j] * hidden[k][t, j]))];
                double norm = Math.Sqrt(expected.Sum(x => x * x));
                double[] got = [.. vectors[t].EnumerateArray().Select(x => x.GetDouble())];
                double error = expected.Zip(got, (e, g) => Math.Abs(e / norm - g)).Max();
                Assert.True(error < 1e-4, $"query {k} token {t}: max abs error {error:E2}");
            }
        }
    }

    private Task<BothRuns> RunBothWaysAsync(string[] task, params string[] valuesColumns) =>
        new TaskRunsBothWays(rabbitFixture, azuriteFixture, _folder).RunAsync(_model.Path, Corpus(), task, valuesColumns);

    private static byte[] Corpus()
    {
        var lines = new StringBuilder();
        foreach ((string id, string text) in CorpusTexts())
            lines.AppendLine(JsonSerializer.Serialize(new { id, text }));
        return Encoding.UTF8.GetBytes(lines.ToString());
    }

    /// <summary>Thirty short texts, an empty one and one long enough for several windows.</summary>
    private static IEnumerable<(string Id, string Text)> CorpusTexts()
    {
        var random = new Random(14);
        string[] words = ["sparse", "dense", "vectors", "of", "the", "corpus", "query", "document", "token", "!", "model", "runs"];
        for (int i = 0; i < 30; i++)
            yield return ($"doc-{i:D2}", string.Join(' ', Enumerable.Range(0, 1 + random.Next(30)).Select(_ => words[random.Next(words.Length)])));
        yield return ("empty", "");
        yield return ("long", string.Join(' ', Enumerable.Range(0, 200).Select(i => words[i % words.Length])));
    }
}
