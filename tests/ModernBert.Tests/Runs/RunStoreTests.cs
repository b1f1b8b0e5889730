using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Runs;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Inputs;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Outputs;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

public sealed class RunStoreTests : TemporaryStoreTests
{
    private RunStore Runs => new(Store, Store.Describe(""));

    private static ObjectStoreFactory Stores => new(new StorageOptions(), new ResilienceOptions(), NullLoggerFactory.Instance, environment: _ => null);

    [Fact]
    public async Task TheSpecRoundTrips()
    {
        RunSpec spec = Spec("/data/output");

        await Runs.WriteSpecAsync(spec, Cancellation);

        Assert.Equivalent(spec, await Runs.ReadSpecAsync(RunId, Cancellation), strict: true);
    }

    [Theory]
    [InlineData(0, "{\"pooling\": 1, \"normalize\": true, \"dimensions\": 64}", 1, "embed", "{\"pooling\":\"mean\",\"normalize\":true,\"dimensions\":64,\"precision\":\"float16\"}")]
    [InlineData(0, "{\"pooling\": null, \"normalize\": null, \"dimensions\": null}", 0, "embed", "{\"precision\":\"float32\"}")]
    [InlineData(1, "{\"pooling\": null, \"normalize\": null, \"dimensions\": null}", 0, "classify", "{\"pairs\":false,\"truncation\":\"longest_first\",\"pair_overflow\":\"truncate\"}")]
    public async Task ASpecWrittenBeforeTasksHadNamesIsReadAsItsTaskAndOptions(int task, string embedding, int precision, string name, string options)
    {
        // The job of run.json as versions before the task model wrote it: the task's enum number, embedding options and precision beside it.
        string legacy = $"{{\"run_id\": \"{RunId}\", \"inputs\": [\"/data/in.jsonl\"], \"job_tokens\": 8192, \"window_overlap\": 0, " +
            $"\"created_at\": \"2026-11-30T10:00:00+00:00\", \"job\": {{\"task\": {task}, \"model\": \"/models/m\", \"revision\": null, " +
            $"\"embedding\": {embedding}, \"output_location\": \"/data/out\", \"precision\": {precision}}}}}";
        await Store.WriteAsync($"{RunId}/run.json", System.Text.Encoding.UTF8.GetBytes(legacy), Cancellation);

        RunSpec spec = (await Runs.ReadSpecAsync(RunId, Cancellation))!;

        Assert.Equal((name, options, "/models/m", "/data/out"), (spec.Job.Task, spec.Job.TaskOptions, spec.Job.Model, spec.Job.OutputLocation));
        Assert.Equal(name, ModernBert.Tasks.InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions).Name);
    }

    [Fact]
    public async Task AnUnknownRunHasNoSpecAndNoCorpus()
    {
        Assert.Null(await Runs.ReadSpecAsync("no-such-run", Cancellation));
        Assert.Null(await Runs.ReadCorpusAsync("no-such-run", Stores, Cancellation));
    }

    [Fact]
    public async Task TheCorpusListingRoundTripsWithEachObjectsRootKeyAndIdRoot()
    {
        var first = new LocalObjectStore(Store.Describe("corpus/a"));
        var second = new LocalObjectStore(Store.Describe("corpus/b c"));
        CorpusObject[] objects =
        [
            new(first, "2025/part-1.jsonl.gz", "a"), new(second, "x.parquet", ""), new(first, "2025/part-2.jsonl.gz", "a"),
        ];

        await Runs.WriteCorpusAsync(RunId, objects, Cancellation);
        IReadOnlyList<CorpusObject>? read = await Runs.ReadCorpusAsync(RunId, Stores, Cancellation);

        Assert.NotNull(read);
        Assert.Equal(objects.Select(o => (o.Store.Describe(o.Key), o.Key, o.IdRoot)), read.Select(o => (o.Store.Describe(o.Key), o.Key, o.IdRoot)));
        Assert.Same(read[0].Store, read[2].Store);
    }

    [Fact]
    public async Task APayloadIsWrittenWhereItsLocationPointsAndReadsBack()
    {
        DocumentChunk[] chunks = [new("d1", 0, 0, 3, [1, 5, 6, 7, 2]), new("d\"2", 1, 10, 12, [1, 9, 9, 2])];

        await Runs.WritePayloadAsync(RunId, 42, JobPayloads.Serialize(chunks), Cancellation);
        string location = Runs.PayloadLocation(RunId, 42);

        Assert.Equal(Path.Combine(Store.Describe(""), RunId, "payloads", "42.json"), location);
        Assert.Equivalent(chunks, await JobPayloads.ReadAsync(Stores, location, Cancellation), strict: true);
    }
}
