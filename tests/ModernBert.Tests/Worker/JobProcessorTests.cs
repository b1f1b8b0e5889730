using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Hub;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using ModernBert.Worker;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Worker;

/// <summary>The worker's processor as WorkerServices registers it, with the tiny checkpoint on the CPU and local storage.</summary>
public sealed class JobProcessorTests : IDisposable
{
    private const string EventsQueue = "modernbert-run-r1";
    private readonly TemporaryFolder _folder = new();
    private readonly ServiceProvider _provider;

    public JobProcessorTests()
    {
        Store = new LocalObjectStore(_folder.Path);
        _provider = WorkerTestServices.Create();
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private LocalObjectStore Store { get; }

    private JobProcessor Processor => _provider.GetRequiredService<JobProcessor>();

    private string WorkerId => _provider.GetRequiredService<WorkerIdentity>().Id;

    private IObjectStore Output => new LocalObjectStore(Store.Describe("output"));

    [Fact]
    public async Task TwoJobsOfARunBecomeOneCommitWhoseRowsPointAtEachJob()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        DocumentChunk[] first = [Reference(reference, 1, "a"), Reference(reference, 2, "b")];
        DocumentChunk[] second = [Reference(reference, 3, "c", chunk: 0), Reference(reference, 4, "c", chunk: 1)];

        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync([Job(0, first), Job(1, second)], Cancellation);

        JobsCommitted commit = AssertCommitted(Assert.Single(reports));
        Assert.Equal(("r1", WorkerId, $"parts/part-{WorkerId}-00000.parquet"), (commit.RunId, commit.WorkerId, commit.FileKey));
        Assert.Equal([new JobRows(0, 0, 2, Tokens(first)), new JobRows(1, 2, 2, Tokens(second))], commit.Jobs);
        Assert.Empty(commit.FailedDocuments);
        Assert.Equal(commit.CommittedLength, await Output.GetLengthAsync(commit.FileKey!, Cancellation));
        IReadOnlyList<ResultRow> rows = await ReadRowsAsync(commit);
        foreach (JobRows job in commit.Jobs)
        {
            DocumentChunk[] chunks = job.JobId == 0 ? first : second;
            ResultRow[] jobRows = [.. rows.Skip((int)job.FirstRow).Take(job.RowCount)];
            Assert.Equal(chunks.Select(c => (c.Id, c.Chunk, c.TokenStart, c.TokenEnd)), jobRows.Select(r => (r.Id, r.Chunk, r.TokenStart, r.TokenEnd)));
        }
        int[] sequences = [1, 2, 3, 4];
        for (int i = 0; i < rows.Count; i++)
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Mean(reference.Hidden[sequences[i]]), Assert.IsType<EmbeddingRow>(rows[i]).Embedding, $"row {i}");
    }

    [Fact]
    public async Task AChunkOutsideTheVocabularyFailsAloneAndTheRestOfItsJobIsCommitted()
    {
        DocumentChunk[] chunks = [Chunk("d1", 10, 11), Chunk("d2", 12, 60000, 13), Chunk("d3", 14)];

        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync([Job(5, chunks)], Cancellation);

        JobsCommitted commit = AssertCommitted(Assert.Single(reports));
        Assert.Equal([new JobRows(5, 0, 2, Tokens(chunks))], commit.Jobs);
        Assert.Equal([new FailedDocument(5, "d2", 0, "token id 60000 is outside the vocabulary (0..50367)")], commit.FailedDocuments);
        Assert.Equal(["d1", "d3"], (await ReadRowsAsync(commit)).Select(row => row.Id));
    }

    [Fact]
    public async Task AJobWhoseEveryChunkFailsIsReportedDoneWithoutAFile()
    {
        DocumentChunk[] chunks = [Chunk("d1", 60000)];

        JobsCommitted commit = AssertCommitted(Assert.Single(await Processor.ProcessAsync([Job(2, chunks)], Cancellation)));

        Assert.Equal((null, 0L), (commit.FileKey, commit.CommittedLength));
        Assert.Equal([new JobRows(2, 0, 0, Tokens(chunks))], commit.Jobs);
        Assert.Single(commit.FailedDocuments);
        Assert.Null(await Output.GetLengthAsync(RunOutput.PartsPrefix, Cancellation));
    }

    [Fact]
    public async Task AJobWhosePayloadIsMissingOrUnreadableFailsInTheReportWhileTheOthersAreCommitted()
    {
        string missing = Store.Describe("payloads/missing.json");
        await Store.WriteAsync("payloads/broken.json", "{not json"u8.ToArray(), Cancellation);
        string broken = Store.Describe("payloads/broken.json");

        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync(
            [Job(0, null) with { PayloadLocation = missing }, Job(1, [Chunk("d1", 10)]), Job(2, null) with { PayloadLocation = broken }], Cancellation);

        RunReport report = Assert.Single(reports);
        Assert.Equal(EventsQueue, report.EventsQueue);
        Assert.Equal([[0L], [2L]], report.Failed.Select(failure => failure.JobIds));
        Assert.All(report.Failed, failure => Assert.Equal(("r1", WorkerId), (failure.RunId, failure.WorkerId)));
        Assert.Equal($"{missing} does not exist.", report.Failed[0].Reason);
        Assert.StartsWith($"Job payload {broken} is not a valid document array", report.Failed[1].Reason);
        Assert.Equal([1L], report.Committed!.Jobs.Select(job => job.JobId));
    }

    [Fact]
    public async Task AJobWithNeitherDocumentsNorAPayloadFailsInTheReportWithoutACommit()
    {
        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync([Job(4, null)], Cancellation);

        RunReport report = Assert.Single(reports);
        JobsFailed failure = Assert.Single(report.Failed);
        Assert.Equal([4L], failure.JobIds);
        Assert.Equal("Storage location '': the location is empty.", failure.Reason);
        Assert.Null(report.Committed);
    }

    [Fact]
    public async Task DocumentsOfAPayloadJobAreReadFromItsBlob()
    {
        DocumentChunk[] chunks = [Chunk("p1", 10, 11, 12), Chunk("p\"2", 13)];
        await Store.WriteAsync("payloads/3.json", JobPayloads.Serialize(chunks), Cancellation);

        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync([Job(3, null) with { PayloadLocation = Store.Describe("payloads/3.json") }], Cancellation);

        JobsCommitted commit = AssertCommitted(Assert.Single(reports));
        Assert.Equal([new JobRows(3, 0, 2, Tokens(chunks))], commit.Jobs);
        Assert.Equal(["p1", "p\"2"], (await ReadRowsAsync(commit)).Select(row => row.Id));
    }

    [Fact]
    public async Task JobsOfAClosedRunAreDropped()
    {
        await Output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), Cancellation);

        Assert.Empty(await Processor.ProcessAsync([Job(0, [Chunk("d1", 10)])], Cancellation));

        Assert.Empty(await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
    }

    [Fact]
    public async Task ABatchWithJobsOfTwoRunsCommitsToEachRunsOutput()
    {
        InferenceJob other = Job(0, [Chunk("x1", 10)]) with
        {
            RunId = "r2",
            EventsQueue = "modernbert-run-r2",
            Spec = Job(0, null).Spec with { OutputLocation = Store.Describe("other") },
        };

        IReadOnlyList<RunReport> reports = await Processor.ProcessAsync([Job(0, [Chunk("d1", 10)]), other, Job(1, [Chunk("d2", 11)])], Cancellation);

        Assert.Equal([EventsQueue, "modernbert-run-r2"], reports.Select(report => report.EventsQueue));
        JobsCommitted first = AssertCommitted(reports[0]), second = AssertCommitted(reports[1]);
        Assert.Equal((2, 1), (first.Jobs.Length, second.Jobs.Length));
        Assert.Equal(["d1", "d2"], (await ReadRowsAsync(first)).Select(row => row.Id));
        PartFileReader otherFile = await PartFileReader.OpenAsync(new LocalObjectStore(Store.Describe("other")), second.FileKey!, second.CommittedLength, EmbeddingSchema.Float32, Cancellation);
        Assert.Equal(["x1"], (await otherFile.ReadAllAsync(Cancellation)).Select(row => row.Id));
    }

    /// <summary>A device loop given a watchdog (as a GPU's is), over a model whose load or forward pass moves the watchdog's clock past the timeout.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AWatchedBatchEndsTheProcessPastTheTimeout_ItsModelsLoadNotCounted(bool slowForward)
    {
        var clock = new FakeTimeProvider();
        var ended = new List<string>();
        WorkerOptions options = _provider.GetRequiredService<WorkerOptions>();
        var loader = new LoaderWithHook(new TaskModelLoader(options), () => clock.Advance(2 * options.BatchTimeout),
            slowForward ? () => clock.Advance(2 * options.BatchTimeout) : null);
        var settings = new InferenceSettings(TorchSharp.torch.CPU, ModelDtype.Parse("fp32"));
        using var loop = new DeviceLoop("cpu", new ModelCache(settings, _provider.GetRequiredService<HuggingFaceModelResolver>(), loader,
            NullLogger.Instance), options, _provider.GetRequiredService<WorkerMetrics>(),
            new BatchWatchdog(options, clock, NullLogger<BatchWatchdog>.Instance, ended.Add), NullLogger.Instance);

        IReadOnlyList<ChunkResult> results = await loop.RunAsync(Job(0, null).Spec, [Chunk("d1", 10)], "The batch of job 0", Cancellation);

        Assert.Single(results);
        Assert.Equal(slowForward ? ["The batch of job 0 on cpu"] : [], ended.Select(reason => reason.Split(" made no progress")[0]));
    }

    [Fact]
    public async Task ACpuBatchLongerThanTheBatchTimeoutIsNotWatched()
    {
        var clock = new FakeTimeProvider();
        var ended = new List<string>();
        using ServiceProvider provider = WorkerTestServices.Create(services => services
            .AddSingleton(p => new BatchWatchdog(p.GetRequiredService<WorkerOptions>(), clock, NullLogger<BatchWatchdog>.Instance, ended.Add))
            .AddSingleton<IDeviceModelLoader>(p => new LoaderWithHook(new TaskModelLoader(p.GetRequiredService<WorkerOptions>()), () => { },
                // A forward pass over which the watchdog's clock moves on past the batch timeout: a large model on a CPU.
                () => clock.Advance(2 * p.GetRequiredService<WorkerOptions>().BatchTimeout))));

        IReadOnlyList<RunReport> reports = await provider.GetRequiredService<JobProcessor>().ProcessAsync([Job(0, [Chunk("d1", 10)])], Cancellation);

        AssertCommitted(Assert.Single(reports));
        Assert.Empty(ended);
    }

    [Fact]
    public async Task ARunClosedWhileTheBatchRanGetsNeitherRowsNorAReport()
    {
        // The coordinator closes the run while the batch is on the device (its last job's first commit came from elsewhere).
        using ServiceProvider provider = WorkerTestServices.Create(services => services
            .AddSingleton<IDeviceModelLoader>(p => new LoaderWithHook(new TaskModelLoader(p.GetRequiredService<WorkerOptions>()),
                () => Output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), Cancellation).GetAwaiter().GetResult())));

        Assert.Empty(await provider.GetRequiredService<JobProcessor>().ProcessAsync([Job(0, [Chunk("d1", 10)])], Cancellation));

        Assert.Empty(await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
    }

    /// <summary>Runs <paramref name="beforeLoad"/> as the model is loaded, then loads it; the model runs <paramref name="onForward"/> as each batch starts.</summary>
    private sealed class LoaderWithHook(IDeviceModelLoader loader, Action beforeLoad, Action? onForward = null) : IDeviceModelLoader
    {
        public IInferenceModel Load(ConfiguredTask task, ModelFolder folder, InferenceSettings settings, ILogger logger, CancellationToken cancellationToken)
        {
            beforeLoad();
            IInferenceModel model = loader.Load(task, folder, settings, logger, cancellationToken);
            return onForward is null ? model : new ModelWithHook(model, onForward);
        }
    }

    private sealed class ModelWithHook(IInferenceModel model, Action onForward) : IInferenceModel
    {
        public ModernBertConfig Config => model.Config;

        public string? Validate(DocumentChunk chunk) => model.Validate(chunk);

        public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
        {
            onForward();
            return model.Start(chunks);
        }

        public void Dispose() => model.Dispose();
    }

    public void Dispose()
    {
        _provider.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task OnAFullDiskTheBatchFailsOnceWithTheReasonAndLeavesNoPartFile()
    {
        using FullFileSystem disk = FullFileSystem.Mount(_folder.File("disk"));
        var logger = new RecordingLogger();

        JobsFailed failed = await FailedOnceAsync(logger, Path.Combine(disk.Path, "output"));

        Assert.Contains("No space left on device", failed.Reason);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Error && entry.Message.Contains("No space left on device"));
        Assert.DoesNotContain(logger.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Equal(["filler"], Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    /// <summary>
    /// An output the worker cannot reach fails the batch's jobs once with the reason, where the question whether the
    /// run is closed used to throw out of the batch: every job faulted alone, each with a stack trace in the log.
    /// </summary>
    [Fact]
    public async Task AnOutputTheWorkerCannotReachFailsTheBatchOnceWithTheReason()
    {
        var logger = new RecordingLogger();

        JobsFailed failed = await FailedOnceAsync(logger, "az://no-account/output");

        Assert.Contains("az://no-account/output", failed.Reason);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Error && entry.Message.StartsWith("Jobs 0, 1 of run r1 failed: ", StringComparison.Ordinal));
    }

    /// <summary>Runs jobs 0 and 1 into <paramref name="output"/> and expects the one report of both failed together.</summary>
    private async Task<JobsFailed> FailedOnceAsync(RecordingLogger logger, string output)
    {
        using ServiceProvider provider = WorkerTestServices.Create(logger);
        InferenceJob[] jobs = [.. new[] { Job(0, [Chunk("d1", 10)]), Job(1, [Chunk("d2", 11)]) }
            .Select(job => job with { Spec = job.Spec with { OutputLocation = output } })];

        IReadOnlyList<RunReport> reports = await provider.GetRequiredService<JobProcessor>().ProcessAsync(jobs, Cancellation);

        RunReport report = Assert.Single(reports);
        Assert.Null(report.Committed);
        JobsFailed failed = Assert.Single(report.Failed);
        Assert.Equal([0L, 1L], failed.JobIds);
        return failed;
    }

    private InferenceJob Job(long jobId, DocumentChunk[]? documents) => JobContract.Job("r1", jobId, new JobSpec
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean, Normalize: false)).OptionsJson,
        Model = Fixtures.Require("tiny-modernbert-mlm"),
        OutputLocation = Store.Describe("output"),
    }, EventsQueue, documents, payloadLocation: null, documents is null ? 0 : Tokens(documents));

    private static DocumentChunk Chunk(string id, params int[] tokens) => new(id, 0, 0, tokens.Length, [50281, .. tokens, 50282]);

    private static DocumentChunk Reference(ReferenceOutputs reference, int sequence, string id, int chunk = 0) =>
        new(id, chunk, 100 * chunk, 100 * chunk + reference.InputIds[sequence].Length - 2, reference.InputIds[sequence]);

    private static int Tokens(DocumentChunk[] chunks) => chunks.Sum(chunk => chunk.InputIds.Length);

    private static JobsCommitted AssertCommitted(RunReport report)
    {
        Assert.Empty(report.Failed);
        JobsCommitted commit = Assert.IsType<JobsCommitted>(report.Committed);
        Assert.Equal(commit.RunId == "r2" ? "modernbert-run-r2" : EventsQueue, report.EventsQueue);
        return commit;
    }

    private async Task<IReadOnlyList<ResultRow>> ReadRowsAsync(JobsCommitted commit)
    {
        PartFileReader reader = await PartFileReader.OpenAsync(Output, commit.FileKey!, commit.CommittedLength, EmbeddingSchema.Float32, Cancellation);
        return await reader.ReadAllAsync(Cancellation);
    }
}
