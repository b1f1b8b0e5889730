using ModernBert.Coordinator.Planning;
using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Tests.Planning;

public sealed class CorpusResolverTests : CorpusFolderTests
{
    [Fact]
    public async Task ListsTheLocationsInTheOrderGivenEachInKeyOrderWithoutRepeats()
    {
        foreach (string key in new[] { "data/b.jsonl", "data/a.jsonl", "data/notes.txt", "other/sub/c.txt" })
            Corpus.WriteText(key, "{}");

        IReadOnlyList<CorpusObject> objects = await CorpusResolver.ResolveAsync(Factory(),
            [Corpus.PathOf("other"), Corpus.PathOf("data/*.jsonl"), Corpus.PathOf("data/a.jsonl")], Cancellation);

        Assert.Equal([Corpus.PathOf("other/sub/c.txt"), Corpus.PathOf("data/a.jsonl"), Corpus.PathOf("data/b.jsonl")],
            objects.Select(o => o.Store.Describe(o.Key)));
        Assert.Equal(["sub/c.txt", "a.jsonl", "b.jsonl"], objects.Select(o => o.Key));
        Assert.All(objects, o => Assert.Equal("", o.IdRoot));
    }

    [Fact]
    public async Task FoldersAndGlobsSkipWhatSparkAndHadoopLeaveBesideTheData_ANamedObjectIsRead()
    {
        foreach (string key in new[] { "spark/part-00000.parquet", "spark/.part-00000.parquet.crc", "spark/_SUCCESS",
                     "spark/_temporary/0/part-00001.parquet", "spark/.hidden/part-00002.parquet", "spark/x_y/part-00003.parquet" })
            Corpus.WriteText(key, "{}");

        IReadOnlyList<CorpusObject> folder = await CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("spark")], Cancellation);
        IReadOnlyList<CorpusObject> glob = await CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("spark/**")], Cancellation);
        IReadOnlyList<CorpusObject> named = await CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("spark/_SUCCESS")], Cancellation);

        Assert.Equal(["part-00000.parquet", "x_y/part-00003.parquet"], folder.Select(o => o.Key));
        Assert.Equal(["part-00000.parquet", "x_y/part-00003.parquet"], glob.Select(o => o.Key));
        Assert.Equal(["_SUCCESS"], named.Select(o => o.Key));
        var error = await Assert.ThrowsAsync<StorageLocationException>(
            () => CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("spark/_*")], Cancellation));
        Assert.Contains("it matches only hidden objects", error.Message);
    }

    [Fact]
    public async Task ALocationMatchingNothingIsAnErrorNamingIt()
    {
        Corpus.WriteText("data/a.jsonl", "{}");
        string location = Corpus.PathOf("data/*.parquet");

        var error = await Assert.ThrowsAsync<StorageLocationException>(
            () => CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("data"), location], Cancellation));

        Assert.Equal($"Storage location '{location}': it matches no objects.", error.Message);
    }
}
