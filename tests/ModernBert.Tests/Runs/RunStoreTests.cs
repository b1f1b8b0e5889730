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
