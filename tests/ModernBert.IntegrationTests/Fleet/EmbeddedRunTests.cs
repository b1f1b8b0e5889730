using System.Text.Json;
using ModernBert.Checkpoints;
using ModernBert.Fleet;
using ModernBert.Tests.Common;
using TorchSharp;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// The embedded default: <c>modernbert run</c> with no broker configured runs coordinator and worker in one process
/// on the in-memory transport, with local files. Its output is read back with DuckDB, not with the writer's code.
/// </summary>
public sealed class EmbeddedRunTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TemporaryFolder _folder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneCommandRunsACorpusAndDuckDbReadsTheReferenceEmbeddings()
    {
        (int[][] ids, float[][] expected) = ReferenceMeanEmbeddings();
        string corpus = WriteCorpus(ids);

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", corpus, "--model", FleetCorpus.ModelPath, "--output", "results"], Environment(), _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
        Assert.True(exit == 0, run.OutputTail);

        Dictionary<string, float[]> rows = await ReadWithDuckDbAsync(_folder.File("results"));
        Assert.Equal(ids.Length + 2, rows.Count);
        for (int k = 0; k < ids.Length; k++)
        {
            double error = expected[k].Zip(rows[$"reference-{k}"], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= Tolerance, $"reference sequence {k}: max abs error {error:E2}");
        }
    }

    [Fact]
    public async Task LogLinesGoToStandardErrorAndStandardOutputHoldsTheRunsReportAlone()
    {
        (int[][] ids, _) = ReferenceMeanEmbeddings();

        (int exit, string output, string errors) = await ProcessRun.RunAsync("dotnet",
            [FleetApps.Coordinator, "run", "--input", WriteCorpus(ids), "--model", FleetCorpus.ModelPath, "--output", "results", "--run-id", "r1"],
            new Dictionary<string, string> { ["Worker__Devices"] = "cpu" }, _folder.Path, TimeSpan.FromMinutes(3), Cancellation);

        Assert.True(exit == 0, output + errors);
        Assert.StartsWith("Run r1: completed\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Planned run r1: ", output, StringComparison.Ordinal);
        Assert.Contains("Planned run r1: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEmbedTasksOptionsTravelWithTheJobs_Float16Embeddings()
    {
        (int[][] ids, float[][] expected) = ReferenceMeanEmbeddings();

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", WriteCorpus(ids), "--model", FleetCorpus.ModelPath, "--output", "results", "--pooling", "mean",
             "--precision", "float16"], Environment(), _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
        Assert.True(exit == 0, run.OutputTail);

        Assert.Equal("embed", ReadManifest("results").GetProperty("task").GetString());
        Dictionary<string, float[]> rows = await ReadWithDuckDbAsync(_folder.File("results"));
        for (int k = 0; k < ids.Length; k++)
        {
            float[] actual = rows[$"reference-{k}"];
            Assert.Equal(actual, actual.Select(value => (float)(Half)value));
            double error = expected[k].Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= 2e-3, $"reference sequence {k}: max abs error {error:E2}");
        }
    }

    [Fact]
    public async Task TheClassifyTaskRunsThroughTheSameFleet_DuckDbReadsTheReferenceProbabilities()
    {
        (int[][] ids, _) = ReferenceMeanEmbeddings();
        float[][] expected = ReferenceProbabilities();

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", WriteCorpus(ids), "--model", Fixtures.Require("tiny-modernbert-cls"), "--output", "results", "--task", "classify"],
            Environment(), _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
        Assert.True(exit == 0, run.OutputTail);

        Assert.Equal("classify", ReadManifest("results").GetProperty("task").GetString());
        var rows = new Dictionary<string, JsonElement>();
        foreach (string file in ManifestFiles("results"))
        {
            JsonElement table = await DuckDbReader.ReadAsync(Path.Combine(_folder.File("results"), file));
            Assert.Equal(["id", "chunk", "token_start", "token_end", "label", "score", "scores", "logit"],
                table.GetProperty("columns").EnumerateArray().Select(column => column.GetProperty("name").GetString()));
            Assert.Equal("classify", table.GetProperty("metadata").GetProperty("modernbert.task").GetString());
            foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
                rows.Add(row.GetProperty("id").GetString()!, row.Clone());
        }
        Assert.Equal(ids.Length + 2, rows.Count);
        string[] labels = ["negative", "neutral", "positive"];
        for (int k = 0; k < ids.Length; k++)
        {
            JsonElement row = rows[$"reference-{k}"];
            float[] scores = [.. row.GetProperty("scores").EnumerateArray().Select(value => value.GetSingle())];
            double error = expected[k].Zip(scores, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= Tolerance, $"reference sequence {k}: max abs error {error:E2}");
            int top = Array.IndexOf(expected[k], expected[k].Max());
            Assert.Equal((labels[top], scores[top]), (row.GetProperty("label").GetString(), row.GetProperty("score").GetSingle()));
        }
    }

    [Fact]
    public async Task InputSettingsApplyFromTheWorkingDirectorysAppsettings_AndADuplicateIdIsRejectedInTheManifestAtItsOrigin()
    {
        File.WriteAllText(_folder.File("appsettings.json"), """{"Input": {"TextField": "body"}}""");
        string corpus = _folder.File("body.jsonl");
        File.WriteAllLines(corpus,
        [
            """{"id": "a", "body": "A document given as text."}""",
            """{"id": "b", "body": "Another one."}""",
            """{"id": "a", "body": "The same id again."}""",
        ]);

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", corpus, "--model", FleetCorpus.ModelPath, "--output", "results"], Environment(), _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);

        Assert.True(exit == 0, run.OutputTail);
        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(_folder.File("results/_manifest.json"), Cancellation));
        Assert.Equal([$"{corpus}:3: duplicate id 'a': an earlier document has the same id"],
            manifest.RootElement.GetProperty("rejected_inputs").EnumerateArray()
                .Select(rejected => $"{rejected.GetProperty("origin").GetString()}: {rejected.GetProperty("reason").GetString()}"));
        Assert.Equal(["a", "b"], (await ReadWithDuckDbAsync(_folder.File("results"))).Keys.Order());
    }

    /// <summary>A section of appsettings.json that names none of the settings (Run for Runs) sent a run's output elsewhere, unsaid.</summary>
    [Fact]
    public async Task ASectionOfTheAppsettingsThatNamesNoSettingsIsRefused()
    {
        File.WriteAllText(_folder.File("appsettings.json"), """{"$schema": "https://json.schemastore.org/appsettings.json", "Input": {"TextField": "body"}, "Run": {"Location": "elsewhere"}}""");

        (int exit, string output, string errors) = await ProcessRun.RunAsync("dotnet", [FleetApps.Coordinator, "status", "r1"],
            new Dictionary<string, string>(), _folder.Path, TimeSpan.FromMinutes(1), Cancellation);

        Assert.True(exit == 1, output + errors);
        Assert.Equal("modernbert status: appsettings.json: Run is not a section of the settings, which are Broker, Coordinator, HuggingFace, Input, " +
            "Logging, Output, Planning, Resilience, Runs, Storage, Telemetry, Worker (see README, Configuration).", errors.Trim());
    }

    [Fact]
    public async Task AHubModelIdIsDownloadedIntoTheHuggingFaceCacheAndReusedByTheNextRun()
    {
        await using HubTestServer hub = await HubTestServer.StartAsync();
        hub.AddRepositoryFromFolder("answerdotai/ModernBERT-test-tiny", FleetCorpus.ModelPath);
        (int[][] ids, float[][] expected) = ReferenceMeanEmbeddings();
        string corpus = WriteCorpus(ids);
        var environment = new Dictionary<string, string>(Environment())
        {
            ["HF_ENDPOINT"] = hub.Endpoint.ToString().TrimEnd('/'),
            ["HF_HUB_CACHE"] = _folder.File("hf-cache"),
        };

        foreach (string output in new[] { "first", "second" })
        {
            using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
                ["run", "--input", corpus, "--model", "answerdotai/ModernBERT-test-tiny", "--output", output], environment, _folder.Path);
            int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
            Assert.True(exit == 0, run.OutputTail);
            if (output == "first")
                Assert.Contains(hub.Requests, request => request.Method == "GET");
        }

        string snapshot = Path.Combine(_folder.File("hf-cache"), "models--answerdotai--ModernBERT-test-tiny", "snapshots", HubTestServer.Commit);
        Assert.True(File.Exists(Path.Combine(snapshot, "config.json")) && File.Exists(Path.Combine(snapshot, "model.safetensors")));
        int downloads = hub.Requests.Count(request => request.Method == "GET");
        Dictionary<string, float[]> second = await ReadWithDuckDbAsync(_folder.File("second"));
        Assert.True(expected[9].Zip(second["reference-9"], (a, b) => Math.Abs(a - b)).Max() <= Tolerance);
        Assert.Equal(downloads, hub.Requests.Count(request => request.Method == "GET"));
    }

    [Fact]
    public async Task JobsThatFailWithAPermanentErrorAreRecordedWithItsReasonAndTheRunEndsCompletedWithFailedJobs()
    {
        string model = await WeightlessModel.CreateAsync(_folder.File("weightless-model"), Cancellation);
        (int[][] ids, _) = ReferenceMeanEmbeddings();
        var environment = new Dictionary<string, string>(Environment()) { ["Worker__RetryAttempts"] = "3" };

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", WriteCorpus(ids), "--model", model, "--output", "results"], environment, _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);

        Assert.True(exit == 2, $"exit code {exit}:\n{run.OutputTail}");
        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(_folder.File("results/_manifest.json"), Cancellation));
        Assert.Equal("completed_with_failures", manifest.RootElement.GetProperty("status").GetString());
        JsonElement[] failed = [.. manifest.RootElement.GetProperty("failed_jobs").EnumerateArray()];
        Assert.Equal(manifest.RootElement.GetProperty("counts").GetProperty("jobs").GetInt64(), failed.Length);
        Assert.All(failed, job => Assert.Contains("lacks", job.GetProperty("reason").GetString()));
        Assert.Empty(manifest.RootElement.GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task ARunResumedAfterItsFinalizationWasInterruptedIsFinalizedAgain_ItsFailedJobsNotRedone()
    {
        string model = await WeightlessModel.CreateAsync(_folder.File("model"), Cancellation);
        (int[][] ids, _) = ReferenceMeanEmbeddings();
        var environment = new Dictionary<string, string>(Environment()) { ["Worker__RetryAttempts"] = "1" };
        using (ChildProcess failing = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", WriteCorpus(ids), "--model", model, "--output", "results", "--run-id", "r1"], environment, _folder.Path))
        {
            int failedExit = await failing.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
            Assert.True(failedExit == 2, $"exit code {failedExit}:\n{failing.OutputTail}");
        }
        Assert.True(File.Exists(_folder.File($"results/{RunOutput.ClosedMarker}")));
        // As if the coordinator died finalizing, before it recorded the run finished; the model is mended meanwhile,
        // so that a job sent again would now succeed.
        string[] segments = Directory.GetFiles(_folder.File("modernbert-runs/r1/journal"));
        foreach (string segment in segments)
            File.WriteAllLines(segment, File.ReadAllLines(segment).Where(line => !line.Contains("\"finished\"", StringComparison.Ordinal)));
        foreach (string file in Directory.GetFiles(FleetCorpus.ModelPath))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)), overwrite: true);

        using ChildProcess resumed = FleetApps.Start(FleetApps.Coordinator, ["run", "--resume", "r1"], environment, _folder.Path);
        int exit = await resumed.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);

        Assert.True(exit == 2, $"exit code {exit}:\n{resumed.OutputTail}");
        JsonElement manifest = ReadManifest("results");
        Assert.Equal("completed_with_failures", manifest.GetProperty("status").GetString());
        Assert.Single(manifest.GetProperty("failed_jobs").EnumerateArray());
        Assert.True(File.Exists(_folder.File($"results/{RunOutput.SuccessMarker}")));
        string[] journal = [.. Directory.GetFiles(_folder.File("modernbert-runs/r1/journal")).SelectMany(File.ReadAllLines)];
        Assert.Single(journal, line => line.Contains("\"published\"", StringComparison.Ordinal));
        Assert.Single(journal, line => line.Contains("\"finished\"", StringComparison.Ordinal));
    }

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, string> Environment() => new()
    {
        ["Worker__Devices"] = "cpu",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    // The reference sequences as pre-tokenized documents, and two text documents around them.
    private string WriteCorpus(int[][] ids)
    {
        string path = _folder.File("corpus.jsonl");
        var lines = new List<string> { JsonSerializer.Serialize(new { id = "text-first", text = "A document given as text." }) };
        lines.AddRange(ids.Select((sequence, k) => JsonSerializer.Serialize(new { id = $"reference-{k}", input_ids = sequence })));
        lines.Add(JsonSerializer.Serialize(new { id = "text-last", text = "" }));
        File.WriteAllLines(path, lines);
        return path;
    }

    // The fixture's default pooling is its classifier_pooling, mean: the mean of each reference hidden state.
    private static (int[][] Ids, float[][] Embeddings) ReferenceMeanEmbeddings()
    {
        using var scope = torch.NewDisposeScope();
        using SafetensorsFile reference = SafetensorsFile.Open(Fixtures.Require("reference/base_reference.safetensors"));
        int[][] ids = Enumerable.Range(0, 10).Select(k => reference.Read($"input_ids_{k}").data<long>().Select(id => (int)id).ToArray()).ToArray();
        float[][] embeddings = Enumerable.Range(0, 10).Select(k => reference.Read($"hidden_{k}").mean([0]).data<float>().ToArray()).ToArray();
        return (ids, embeddings);
    }

    // Softmax of tiny-modernbert-cls's reference logits for each reference sequence.
    private static float[][] ReferenceProbabilities()
    {
        using var scope = torch.NewDisposeScope();
        using SafetensorsFile reference = SafetensorsFile.Open(Fixtures.Require("reference/cls_reference.safetensors"));
        torch.Tensor probabilities = reference.Read("logits").to(torch.ScalarType.Float32).softmax(-1);
        return Enumerable.Range(0, (int)probabilities.shape[0]).Select(k => probabilities[k].data<float>().ToArray()).ToArray();
    }

    private JsonElement ReadManifest(string output) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_folder.File(output), RunOutput.Manifest))).RootElement.Clone();

    private string[] ManifestFiles(string output) =>
        [.. ReadManifest(output).GetProperty("files").EnumerateArray().Select(file => file.GetProperty("path").GetString()!)];

    private static async Task<Dictionary<string, float[]>> ReadWithDuckDbAsync(string output)
    {
        var rows = new Dictionary<string, float[]>();
        foreach (JsonElement row in await LocalRunOutput.ReadRowsAsync(output, Cancellation))
            rows.Add(row.GetProperty("id").GetString()!, row.GetProperty("embedding").EnumerateArray().Select(value => value.GetSingle()).ToArray());
        return rows;
    }
}
