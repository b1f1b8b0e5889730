using System.Text.Json;
using ModernBert.Fleet;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>What both runs of a task gave: the fleet's manifest and rows as DuckDB reads them, and the embedded run's manifest.</summary>
internal sealed record BothRuns(JsonElement Manifest, JsonElement EmbeddedManifest, Dictionary<(string Id, int Chunk), JsonElement> Rows);

/// <summary>
/// A task through <c>run</c> twice: on the embedded default (one process, local files: <see cref="Corpus"/> and the
/// output <see cref="Output"/> in the working folder, the names the README's queries use) and on RabbitMQ + Azurite with
/// a worker process. Both must complete with the same applied options and list files holding every window exactly
/// once, read back with DuckDB, with the same rows.
/// </summary>
internal sealed class TaskRunsBothWays(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture, TemporaryFolder folder)
{
    public const string Corpus = "corpus.jsonl";
    public const string Output = "out";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The embedded run's output folder.</summary>
    public string EmbeddedOutput => folder.File(Output);

    /// <param name="valuesColumns">The columns whose values must be equal in both runs (to 1e-5, integers within one quantization step).</param>
    public async Task<BothRuns> RunAsync(string model, byte[] corpus, string[] task, params string[] valuesColumns)
    {
        await File.WriteAllBytesAsync(folder.File(Corpus), corpus, Cancellation);
        using (ChildProcess embedded = FleetApps.Start(FleetApps.Coordinator,
            ["run", "--input", Corpus, "--model", model, "--output", Output, .. task],
            new Dictionary<string, string> { ["Worker__Devices"] = "cpu", ["Logging__LogLevel__Default"] = "Warning" }, folder.Path))
        {
            int exit = await embedded.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
            Assert.True(exit == 0, embedded.OutputTail);
        }
        JsonElement embeddedManifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(EmbeddedOutput, RunOutput.Manifest), Cancellation)).RootElement;
        Dictionary<(string, int), JsonElement> embeddedRows = await ReadAsync(new LocalObjectStore(EmbeddedOutput), embeddedManifest, "e");

        using FleetRun run = await FleetRun.CreateAsync(await rabbitFixture.GetAsync(), await azuriteFixture.GetAsync(), corpus, Cancellation);
        ChildProcess coordinator = run.StartCoordinator(["run", "--input", run.Input, "--model", model, "--output", run.Output, "--run-id", run.RunId, .. task]);
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
        {
            foreach (string column in new[] { "token_start", "token_end" })
                Assert.Equal(embeddedRows[key].GetProperty(column).GetInt32(), row.GetProperty(column).GetInt32());
            foreach (string column in valuesColumns)
                AssertSameValues(embeddedRows[key].GetProperty(column), row.GetProperty(column), $"{key} {column}");
        }
        return new BothRuns(manifest, embeddedManifest, rows);
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
            string copy = folder.File($"{prefix}-{index++}.parquet");
            await File.WriteAllBytesAsync(copy, (await output.ReadRangeAsync(key, 0, 256 << 20, Cancellation)).ToArray(), Cancellation);
            JsonElement table = await DuckDbReader.ReadAsync(copy);
            foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
                Assert.True(rows.TryAdd((row.GetProperty("id").GetString()!, row.GetProperty("chunk").GetInt32()), row.Clone()), $"{key} repeats a row.");
        }
        return rows;
    }

    /// <summary>
    /// Equal strings, numbers equal to 1e-5 (or within one quantization step for integers: batches differ between the
    /// two runs, and so do the last bits), and arrays and objects of them.
    /// </summary>
    private static void AssertSameValues(JsonElement expected, JsonElement actual, string what)
    {
        Assert.Equal(expected.ValueKind, actual.ValueKind);
        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                foreach ((JsonElement e, JsonElement a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                    AssertSameValues(e, a, what);
                break;
            case JsonValueKind.Object:
                Assert.Equal(expected.EnumerateObject().Select(property => property.Name), actual.EnumerateObject().Select(property => property.Name));
                foreach (JsonProperty property in expected.EnumerateObject())
                    AssertSameValues(property.Value, actual.GetProperty(property.Name), $"{what}.{property.Name}");
                break;
            case JsonValueKind.Number:
                double difference = Math.Abs(expected.GetDouble() - actual.GetDouble());
                Assert.True(difference <= (expected.TryGetInt32(out _) ? 1 : 1e-5), $"{what}: {expected} and {actual}");
                break;
            default:
                Assert.True(expected.ToString() == actual.ToString(), $"{what}: {expected} and {actual}");
                break;
        }
    }
}
