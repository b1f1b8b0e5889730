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
    public async Task ALocationMatchingNothingIsAnErrorNamingIt()
    {
        Corpus.WriteText("data/a.jsonl", "{}");
        string location = Corpus.PathOf("data/*.parquet");

        var error = await Assert.ThrowsAsync<StorageLocationException>(
            () => CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("data"), location], Cancellation));

        Assert.Equal($"Storage location '{location}': it matches no objects.", error.Message);
    }
}
