using System.Text;
using System.Text.Json;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Each embedding task with its new options through <c>run</c> twice (<see cref="TaskRunsBothWays"/>): on the embedded
/// default (one process, local files) and on RabbitMQ + Azurite with a worker process. Both manifests record the same
/// applied options and list files holding every window exactly once, read back with DuckDB, with the same values. The
/// values themselves are checked against independent computations in the unit tests (EmbedModulesTests,
/// SparseTaskTests, MultivectorTaskTests).
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
            .Json("config_sentence_transformers.json", """{"query_prefix": "[unused0]", "document_prefix": "[unused1]", "document_length": 40}""");
        _model.Dense("1_Dense", 64, 16, bias: false, "torch.nn.modules.linear.Identity", seed: 5);

        (JsonElement manifest, _, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(["--task", "multivector"], "embeddings", "token_count");

        Assert.Equal("[unused1]", manifest.GetProperty("task_options").GetProperty("prefix").GetString());
        Assert.All(rows.Values, row =>
        {
            Assert.Equal(row.GetProperty("token_count").GetInt32(), row.GetProperty("embeddings").GetArrayLength());
            Assert.All(row.GetProperty("embeddings").EnumerateArray(), vector => Assert.Equal(16, vector.GetArrayLength()));
        });
    }

    private Task<BothRuns> RunBothWaysAsync(string[] task, params string[] valuesColumns) =>
        new TaskRunsBothWays(rabbitFixture, azuriteFixture, _folder).RunAsync(_model.Path, Corpus(), task, valuesColumns);

    /// <summary>Thirty short texts, an empty one and one long enough for several windows.</summary>
    private static byte[] Corpus()
    {
        var random = new Random(14);
        string[] words = ["sparse", "dense", "vectors", "of", "the", "corpus", "query", "document", "token", "!", "model", "runs"];
        var lines = new StringBuilder();
        for (int i = 0; i < 30; i++)
            lines.AppendLine(JsonSerializer.Serialize(new { id = $"doc-{i:D2}", text = string.Join(' ', Enumerable.Range(0, 1 + random.Next(30)).Select(_ => words[random.Next(words.Length)])) }));
        lines.AppendLine(JsonSerializer.Serialize(new { id = "empty", text = "" }));
        lines.AppendLine(JsonSerializer.Serialize(new { id = "long", text = string.Join(' ', Enumerable.Range(0, 200).Select(i => words[i % words.Length])) }));
        return Encoding.UTF8.GetBytes(lines.ToString());
    }
}
