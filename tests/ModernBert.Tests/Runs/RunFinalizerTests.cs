using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;
using ModernBert.Tests.Storage;
using static ModernBert.Tests.Runs.RunSamples;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Runs;

public sealed class RunFinalizerTests : TemporaryStoreTests
{
    private const string W1File = "parts/part-w1-00000.parquet";
    private const string W2File = "parts/part-w2-00000.parquet";
    private const string W3File = "parts/part-w3-00000.parquet";

    [Fact]
    public async Task ACleanRunKeepsItsFilesAsTheyAre()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(4), Published(0, 4), await w1.CommitAsync((0, 2), (1, 3)), await w2.CommitAsync((3, 1)),
            await w1.CommitAsync((2, 2)));
        byte[] w1Bytes = Bytes(W1File), w2Bytes = Bytes(W2File);

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed);

        Assert.Equal([Describe(W1File, w1Bytes.Length, 7, [0, 1, 2]), Describe(W2File, w2Bytes.Length, 1, [3])], Describe(manifest.Files));
        Assert.Equal(w1Bytes, Bytes(W1File));
        Assert.Equal(w2Bytes, Bytes(W2File));
        Assert.NotNull(await Store.GetLengthAsync(RunOutput.SuccessMarker, Cancellation));
        await AssertOutputAsync(manifest, (0, 2), (1, 3), (2, 2), (3, 1));
    }

    [Fact]
    public async Task ADuplicateJobsRowsAreDroppedFromTheFileOfItsLaterCommit()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(3), await w1.CommitAsync((0, 2), (1, 3)), await w2.CommitAsync((1, 3), (2, 2)));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed);

        Assert.Equal([W1File, "parts/part-w2-00000.final.parquet"], manifest.Files.Select(file => file.Path));
        Assert.Equal([2L], manifest.Files[1].Jobs);
        Assert.Null(await Store.GetLengthAsync(W2File, Cancellation));
        await AssertOutputAsync(manifest, (0, 2), (1, 3), (2, 2));
    }

    [Fact]
    public async Task CommitsAWorkerNeverReportedAreCutOff()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        JobsCommittedEvent reported = await w1.CommitAsync((0, 2));
        await w1.CommitAsync((1, 3));
        RunState state = State(Planned(2), reported, await w2.CommitAsync((1, 3)));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed);

        ManifestFile cut = manifest.Files[0];
        Assert.Equal(("parts/part-w1-00000.final.parquet", reported.Commit.CommittedLength), (cut.Path, cut.Bytes));
        Assert.Equal(Bytes(cut.Path), File.ReadAllBytes(Store.Describe(cut.Path)).AsSpan(0, (int)cut.Bytes).ToArray());
        await Assert.ThrowsAsync<ObjectSealedException>(() => Store.AppendAsync(cut.Path, cut.Bytes, new byte[] { 1 }, Cancellation));
        Assert.Null(await Store.GetLengthAsync(W1File, Cancellation));
        await AssertOutputAsync(manifest, (0, 2), (1, 3));
    }

    [Fact]
    public async Task ACommitLandingAfterTheRunClosedIsCutOff_AndTheSealedFilesTakeNoMore()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(2), Published(0, 2), await w1.CommitAsync((0, 2)), await w2.CommitAsync((1, 3)));
        byte[] w2Bytes = Bytes(W2File);
        // A late duplicate of job 1 whose append lands after the run closed, just before w1's file is sealed.
        bool hooked = false;
        var output = new HookedObjectStore(Store)
        {
            BeforeChange = async (_, kind, key) =>
            {
                if (kind == ChangeKind.Seal && key == W1File && !hooked)
                {
                    hooked = true;
                    await w1.CommitAsync((1, 3));
                }
            },
        };

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed, output: output);

        Assert.True(hooked);
        Assert.Equal(["parts/part-w1-00000.final.parquet", W2File], manifest.Files.Select(file => file.Path));
        await AssertOutputAsync(manifest, (0, 2), (1, 3));
        Assert.NotNull(await Store.GetLengthAsync(RunOutput.ClosedMarker, Cancellation));
        await Assert.ThrowsAsync<ObjectSealedException>(() => w2.CommitAsync((0, 2)));
        Assert.Equal(w2Bytes, Bytes(W2File));
    }

    [Fact]
    public async Task StorageThatCannotSealIsWarnedOfOnce_AndTheRunIsSettledAsBefore()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(2), await w1.CommitAsync((0, 2)), await w2.CommitAsync((1, 3), (0, 2)));
        var logger = new RecordingLogger();
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder.AddProvider(logger));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed, output: new UnsealableStore(Store), logger: loggers.CreateLogger<RunFinalizer>());

        await AssertOutputAsync(manifest, (0, 2), (1, 3));
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("cannot seal part files"));
    }

    [Fact]
    public async Task APartFileTheRunNeverHeardOfIsDeleted()
    {
        var w1 = new PartFileWorker(Store, "w1");
        await new PartFileWorker(Store, "w3").CommitAsync((1, 2));
        RunState state = State(Planned(2), await w1.CommitAsync((0, 2)), new JobsFailedEvent([1], "failed after retries"));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.CompletedWithFailures);

        Assert.Null(await Store.GetLengthAsync(W3File, Cancellation));
        await AssertOutputAsync(manifest, (0, 2));
    }

    [Fact]
    public async Task AFileHoldingOnlyDuplicatesIsDeleted()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(1), await w1.CommitAsync((0, 2)), await w2.CommitAsync((0, 2)));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Completed);

        Assert.Null(await Store.GetLengthAsync(W2File, Cancellation));
        Assert.Equal([W1File], manifest.Files.Select(file => file.Path));
        await AssertOutputAsync(manifest, (0, 2));
    }

    [Fact]
    public async Task AFailedRunWritesItsManifestButNoSuccessMarker()
    {
        var w1 = new PartFileWorker(Store, "w1");
        RunState state = State(Planned(3), Published(0, 3), await w1.CommitAsync((0, 2)));

        RunManifest manifest = await FinalizeAsync(state, RunStatus.Failed, "Run run-test made no progress for 01:00:00");

        Assert.Equal((RunStatus.Failed, "Run run-test made no progress for 01:00:00"), (manifest.Status, manifest.Reason));
        Assert.Equal(new ManifestCounts(Jobs: 3, JobsFailed: 0, Rows: 2, Tokens: 2 * PartFileWorker.TokensPerRow, DocumentsFailed: 0,
            InputsRejected: 0, PackingEfficiency: 0.875), manifest.Counts);
        await AssertWrittenAsync(manifest);
        Assert.Null(await Store.GetLengthAsync(RunOutput.SuccessMarker, Cancellation));
    }

    [Fact]
    public async Task AFailedRunLeavesItsPartFilesForTheResumedRunToSettle()
    {
        var w1 = new PartFileWorker(Store, "w1");
        var w2 = new PartFileWorker(Store, "w2");
        RunState state = State(Planned(3), Published(0, 3), await w1.CommitAsync((0, 2)));
        // Workers outlive a failed coordinator: they go on committing, and their reports wait in the run's events queue.
        JobsCommittedEvent queued = await w1.CommitAsync((1, 3));
        JobsCommittedEvent unseen = await w2.CommitAsync((2, 1));
        Dictionary<string, byte[]> parts = await ContentAsync(Store);

        RunManifest failed = await FinalizeAsync(state, RunStatus.Failed, "stalled");

        Assert.Empty(failed.Files);
        Dictionary<string, byte[]> after = await ContentAsync(Store);
        Assert.All(parts, part => Assert.Equal(part.Value, after[part.Key]));
        Assert.Equal(parts.Keys.Append(RunOutput.Manifest).Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));

        state.Apply(queued);
        state.Apply(unseen);
        RunManifest resumed = await FinalizeAsync(state, RunStatus.Completed);

        Assert.Equal([W1File, W2File], resumed.Files.Select(file => file.Path));
        await AssertOutputAsync(resumed, (0, 2), (1, 3), (2, 1));
    }

    [Fact]
    public async Task TheManifestListsFilesJobsCountsAndFailures()
    {
        RunState state = await MessyRunAsync(Store);

        RunManifest manifest = await FinalizeAsync(state, RunStatus.CompletedWithFailures);

        RunSpec spec = Spec(Store.Describe(""));
        Assert.Equal((RunId, RunStatus.CompletedWithFailures, null, "embed", spec.Job.Model, spec.CreatedAt),
            (manifest.RunId, manifest.Status, manifest.Reason, manifest.Task, manifest.Model, manifest.CreatedAt));
        Assert.Equal(new ManifestCounts(Jobs: 7, JobsFailed: 1, Rows: 12, Tokens: 12 * PartFileWorker.TokensPerRow, DocumentsFailed: 1,
            InputsRejected: 2, PackingEfficiency: 0.875), manifest.Counts);
        Assert.Equal(
            [
                Describe(W1File, Bytes(W1File).Length, 7, [0, 1, 2]),
                Describe("parts/part-w2-00000.final.parquet", Bytes("parts/part-w2-00000.final.parquet").Length, 2, [3]),
                Describe("parts/part-w3-00000.final.parquet", Bytes("parts/part-w3-00000.final.parquet").Length, 2, [4]),
                Describe("parts/part-w4-00000.parquet", Bytes("parts/part-w4-00000.parquet").Length, 1, [5]),
            ],
            Describe(manifest.Files));
        Assert.Equal([new ManifestFailedJob(6, "failed after retries: IOException: disk full")], manifest.FailedJobs);
        Assert.Equal([new FailedDocument(2, "job2-row9", 0, "token id 60000 is outside the vocabulary (0..50367)")], manifest.FailedDocuments);
        Assert.Equal([new ManifestRejection("corpus.jsonl:3", "invalid JSON"), new ManifestRejection("corpus.jsonl:8", "duplicate id 'd4'")],
            manifest.RejectedInputs);
        await AssertWrittenAsync(manifest);
        await AssertOutputAsync(manifest, (0, 2), (1, 3), (2, 2), (3, 2), (4, 2), (5, 1));
    }

    [Fact]
    public async Task FinalizingAgainAfterACrashAtAnyStepGivesTheSameManifestAndFiles()
    {
        var reference = new LocalObjectStore(Store.Describe("reference"));
        RunManifest expected = await FinalizeAsync(await MessyRunAsync(reference), RunStatus.CompletedWithFailures, output: reference);
        Dictionary<string, byte[]> expectedFiles = await ContentAsync(reference);

        // Crash at the first, second, ... change the finalizer makes; the last round does not crash and runs twice.
        for (int crashAt = 1; ; crashAt++)
        {
            var output = new LocalObjectStore(Store.Describe($"crash-{crashAt}"));
            RunState state = await MessyRunAsync(output);
            var crashing = new HookedObjectStore(output)
            {
                BeforeChange = (change, kind, key) => change == crashAt ? throw new IOException($"Crash before {kind} of {key}.") : Task.CompletedTask,
            };
            bool crashed;
            try
            {
                await FinalizeAsync(state, RunStatus.CompletedWithFailures, output: crashing);
                crashed = false;
            }
            catch (IOException)
            {
                crashed = true;
            }

            RunManifest again = await FinalizeAsync(state, RunStatus.CompletedWithFailures, output: output);

            Assert.Equal(Json(expected with { FinishedAt = default }), Json(again with { FinishedAt = default }));
            Dictionary<string, byte[]> files = await ContentAsync(output);
            Assert.Equal(expectedFiles.Keys.Order(), files.Keys.Order());
            Assert.All(expectedFiles, file => Assert.True(file.Key == RunOutput.Manifest || file.Value.SequenceEqual(files[file.Key]), $"{file.Key} differs."));
            if (!crashed)
            {
                Assert.True(crashAt > 8, $"Only {crashAt - 1} changes were crashed: the scenario lacks rewrites or deletions.");
                break;
            }
        }
    }

    /// <summary>
    /// Seven jobs: w1 commits 0-1 and 2 cleanly; w2 redoes job 1 beside 3; w3 commits 4 and then 5 without
    /// reporting it, and w4 redoes 5; w5 redoes 0 only; w6 commits 6 without reporting it and job 6 fails.
    /// </summary>
    private static async Task<RunState> MessyRunAsync(IObjectStore output)
    {
        PartFileWorker w1 = new(output, "w1"), w2 = new(output, "w2"), w3 = new(output, "w3"), w4 = new(output, "w4"),
            w5 = new(output, "w5"), w6 = new(output, "w6");
        JobsCommittedEvent first = await w1.CommitAsync((0, 2), (1, 3));
        JobsCommittedEvent second = await w1.CommitAsync((2, 2));
        second = new JobsCommittedEvent(second.Commit with
        {
            FailedDocuments = [new FailedDocument(2, "job2-row9", 0, "token id 60000 is outside the vocabulary (0..50367)")],
        });
        JobsCommittedEvent redone = await w2.CommitAsync((1, 3), (3, 2));
        JobsCommittedEvent beforeCrash = await w3.CommitAsync((4, 2));
        await w3.CommitAsync((5, 1));
        JobsCommittedEvent retried = await w4.CommitAsync((5, 1));
        JobsCommittedEvent duplicate = await w5.CommitAsync((0, 2));
        await w6.CommitAsync((6, 2));
        return State(Published(0, 7), new InputRejectedEvent("corpus.jsonl:3", "invalid JSON"), first, second, redone, beforeCrash,
            new InputRejectedEvent("corpus.jsonl:8", "duplicate id 'd4'"), retried, duplicate,
            new JobsFailedEvent([6], "failed after retries: IOException: disk full"), Planned(7));
    }

    private Task<RunManifest> FinalizeAsync(RunState state, RunStatus status, string? reason = null, IObjectStore? output = null,
        ILogger<RunFinalizer>? logger = null) =>
        new RunFinalizer(output ?? Store, ParquetCompression.Zstd, logger ?? NullLogger<RunFinalizer>.Instance)
            .FinalizeAsync(Spec(Store.Describe("")), state, status, reason, Cancellation);

    /// <summary>Storage that cannot seal (an Azure account with a hierarchical namespace).</summary>
    private sealed class UnsealableStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override Task<bool> SealAsync(string key, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    /// <summary>The listed files are exactly the part files, their sizes and jobs are right, and they hold each accepted row once.</summary>
    private async Task AssertOutputAsync(RunManifest manifest, params (long Job, int Rows)[] accepted)
    {
        List<string> parts = await Store.ListAsync(RunOutput.PartsPrefix, Cancellation).Select(part => part.Key).ToListAsync(Cancellation);
        Assert.Equal(manifest.Files.Select(file => file.Path).Order(StringComparer.Ordinal), parts);
        var rows = new List<EmbeddingRow>();
        foreach (ManifestFile file in manifest.Files)
        {
            PartFileReader reader = await PartFileReader.OpenAsync(Store, file.Path, length: null, EmbeddingSchema.Float32, Cancellation);
            EmbeddingRow[] fileRows = [.. (await reader.ReadAllAsync(Cancellation)).Cast<EmbeddingRow>()];
            Assert.Equal((file.Bytes, file.Rows), (reader.Length, (long)fileRows.Length));
            Assert.Equal(file.Jobs, fileRows.Select(row => (long)row.Embedding[0]).Distinct().Order());
            rows.AddRange(fileRows);
        }
        EmbeddingRow[] expected = [.. accepted.SelectMany(job => PartFileWorker.Rows(job.Job, job.Rows))];
        Assert.Equal(expected.Select(row => row.Id).Order(), rows.Select(row => row.Id).Order());
        Dictionary<string, float[]> embeddings = expected.ToDictionary(row => row.Id, row => row.Embedding);
        Assert.All(rows, row => Assert.Equal(embeddings[row.Id], row.Embedding));
    }

    /// <summary>The manifest file holds <paramref name="manifest"/> (its task options compared as JSON text: JsonNode has no value equality).</summary>
    private async Task AssertWrittenAsync(RunManifest manifest)
    {
        RunManifest written = await ReadManifestAsync();
        Assert.Equal(manifest.TaskOptions?.ToJsonString(), written.TaskOptions?.ToJsonString());
        Assert.Equivalent(manifest with { TaskOptions = null }, written with { TaskOptions = null }, strict: true);
    }

    private async Task<RunManifest> ReadManifestAsync() =>
        JsonSerializer.Deserialize<RunManifest>(await Store.ReadRangeAsync(RunOutput.Manifest, 0, 1 << 20, Cancellation), RunJournalJson.Options)!;

    private static async Task<Dictionary<string, byte[]>> ContentAsync(IObjectStore output)
    {
        var content = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (ObjectInfo item in output.ListAsync("", Cancellation))
            content[item.Key] = await output.ReadRangeAsync(item.Key, 0, (int)item.Length, Cancellation);
        return content;
    }

    private static string[] Describe(IEnumerable<ManifestFile> files) => [.. files.Select(file => Describe(file.Path, file.Bytes, file.Rows, [.. file.Jobs]))];

    private static string Describe(string path, long bytes, long rows, long[] jobs) => $"{path}: {bytes} bytes, {rows} rows, jobs {string.Join(' ', jobs)}";

    private static string Json(RunManifest manifest) => JsonSerializer.Serialize(manifest, RunJournalJson.Options);

    private byte[] Bytes(string key) => File.ReadAllBytes(Store.Describe(key));
}
