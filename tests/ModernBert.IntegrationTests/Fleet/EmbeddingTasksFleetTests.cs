using System.Text;
using System.Text.Json;
using ModernBert.Fleet;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Each embedding task with its new options through <c>run</c> twice: on the embedded default (one process, local
/// files) and on RabbitMQ + Azurite with a worker process. Both manifests record the same applied options and list
/// files holding every window exactly once, read back with DuckDB, with the same values. The values themselves are
/// checked against independent computations in the unit tests (EmbedModulesTests, SparseTaskTests, MultivectorTaskTests).
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class EmbeddingTasksFleetTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture) : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly SentenceTransformersFolder _model = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

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

        (JsonElement manifest, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
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
        (JsonElement manifest, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(
            ["--task", "sparse", "--top-k", "24", "--max-tokens", "48"], "values");

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

        (JsonElement manifest, Dictionary<(string, int), JsonElement> rows) = await RunBothWaysAsync(["--task", "multivector"], "embeddings");

        Assert.Equal("[unused1]", manifest.GetProperty("task_options").GetProperty("prefix").GetString());
        Assert.All(rows.Values, row =>
        {
            Assert.Equal(row.GetProperty("token_count").GetInt32(), row.GetProperty("embeddings").GetArrayLength());
            Assert.All(row.GetProperty("embeddings").EnumerateArray(), vector => Assert.Equal(16, vector.GetArrayLength()));
        });
    }

    /// <summary>
    /// Runs the task on the embedded default and on the fleet, checks that both completed with the same options and
    /// the same rows (each window once), and returns the fleet's manifest and rows as DuckDB reads them.
    /// </summary>
    private async Task<(JsonElement Manifest, Dictionary<(string, int), JsonElement> Rows)> RunBothWaysAsync(string[] task, string valuesColumn)
    {
        byte[] corpus = Corpus();
        string local = _folder.File("corpus.jsonl");
        await File.WriteAllBytesAsync(local, corpus, Cancellation);
        using (ChildProcess embedded = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", local, "--model", _model.Path, "--output", "embedded", .. task],
            new Dictionary<string, string> { ["Worker__Device"] = "cpu", ["Logging__LogLevel__Default"] = "Warning" }, _folder.Path))
        {
            int exit = await embedded.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
            Assert.True(exit == 0, embedded.OutputTail);
        }
        JsonElement embeddedManifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder.File("embedded"), RunOutput.Manifest), Cancellation)).RootElement;
        Dictionary<(string, int), JsonElement> embeddedRows = await ReadAsync(new LocalObjectStore(_folder.File("embedded")), embeddedManifest, "e");

        using FleetRun run = await FleetRun.CreateAsync(await rabbitFixture.GetAsync(), await azuriteFixture.GetAsync(), corpus, Cancellation);
        ChildProcess coordinator = run.StartCoordinator(["run", "--input", run.Input, "--model", _model.Path, "--output", run.Output, "--run-id", run.RunId, .. task]);
        run.StartWorker();
        int fleetExit = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(5), Cancellation);
        Assert.True(fleetExit == 0, coordinator.OutputTail);
        Assert.NotNull(await run.OutputStore.GetLengthAsync(RunOutput.SuccessMarker, Cancellation));
        JsonElement manifest = JsonDocument.Parse(await run.OutputStore.ReadRangeAsync(RunOutput.Manifest, 0, 64 << 20, Cancellation)).RootElement;
        Dictionary<(string, int), JsonElement> rows = await ReadAsync(run.OutputStore, manifest, "f");

        Assert.Equal("completed", manifest.GetProperty("status").GetString());
        Assert.Equal(0, manifest.GetProperty("counts").GetProperty("jobs_failed").GetInt64());
        Assert.Equal(AppliedOptions(embeddedManifest), AppliedOptions(manifest));
        Assert.Equal(embeddedRows.Keys.Order(), rows.Keys.Order());
        Assert.Equal(manifest.GetProperty("counts").GetProperty("rows").GetInt64(), rows.Count);
        foreach (((string, int) key, JsonElement row) in rows)
            AssertSameValues(embeddedRows[key].GetProperty(valuesColumn), row.GetProperty(valuesColumn), $"{key}");
        return (manifest, rows);
    }

    /// <summary>The manifest's task options but the int8 ranges, whose last bits depend on the calibration's batches.</summary>
    private static string[] AppliedOptions(JsonElement manifest) =>
        [.. manifest.GetProperty("task_options").EnumerateObject().Where(option => option.Name != "ranges").Select(option => $"{option.Name}={option.Value}")];

    /// <summary>The rows of every file the manifest lists, downloaded and read with DuckDB; a window seen twice fails.</summary>
    private async Task<Dictionary<(string, int), JsonElement>> ReadAsync(IObjectStore output, JsonElement manifest, string prefix)
    {
        var rows = new Dictionary<(string, int), JsonElement>();
        int index = 0;
        foreach (JsonElement file in manifest.GetProperty("files").EnumerateArray())
        {
            string key = file.GetProperty("path").GetString()!;
            string copy = _folder.File($"{prefix}-{index++}.parquet");
            await File.WriteAllBytesAsync(copy, (await output.ReadRangeAsync(key, 0, 256 << 20, Cancellation)).ToArray(), Cancellation);
            JsonElement table = await DuckDbReader.ReadAsync(copy);
            foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
                Assert.True(rows.TryAdd((row.GetProperty("id").GetString()!, row.GetProperty("chunk").GetInt32()), row.Clone()), $"{key} repeats a row.");
        }
        return rows;
    }

    /// <summary>Equal to 1e-5, or within one quantization step (batches differ between the two runs, and so do the last bits).</summary>
    private static void AssertSameValues(JsonElement expected, JsonElement actual, string what)
    {
        if (expected.ValueKind == JsonValueKind.Array)
        {
            Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
            foreach ((JsonElement e, JsonElement a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                AssertSameValues(e, a, what);
            return;
        }
        double difference = Math.Abs(expected.GetDouble() - actual.GetDouble());
        Assert.True(difference <= (expected.TryGetInt32(out _) ? 1 : 1e-5), $"{what}: {expected} and {actual}");
    }

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
