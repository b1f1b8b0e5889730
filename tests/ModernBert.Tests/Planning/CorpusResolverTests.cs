using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Planning;
using ModernBert.Inputs;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Inputs;

namespace ModernBert.Tests.Planning;

public sealed class CorpusResolverTests : IDisposable
{
    private readonly TempCorpus _corpus = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public async Task ListsTheLocationsInTheOrderGivenEachInKeyOrderWithoutRepeats()
    {
        foreach (string key in new[] { "data/b.jsonl", "data/a.jsonl", "data/notes.txt", "other/sub/c.txt" })
            _corpus.WriteText(key, "{}");

        IReadOnlyList<CorpusObject> objects = await CorpusResolver.ResolveAsync(Factory(),
            [_corpus.PathOf("other"), _corpus.PathOf("data/*.jsonl"), _corpus.PathOf("data/a.jsonl")], Cancellation);

        Assert.Equal([_corpus.PathOf("other/sub/c.txt"), _corpus.PathOf("data/a.jsonl"), _corpus.PathOf("data/b.jsonl")],
            objects.Select(o => o.Store.Describe(o.Key)));
        Assert.Equal(["sub/c.txt", "a.jsonl", "b.jsonl"], objects.Select(o => o.Key));
        Assert.All(objects, o => Assert.Equal("", o.IdRoot));
    }

    [Fact]
    public async Task ALocationMatchingNothingIsAnErrorNamingIt()
    {
        _corpus.WriteText("data/a.jsonl", "{}");
        string location = _corpus.PathOf("data/*.parquet");

        var error = await Assert.ThrowsAsync<StorageLocationException>(
            () => CorpusResolver.ResolveAsync(Factory(), [_corpus.PathOf("data"), location], Cancellation));

        Assert.Equal($"Storage location '{location}': it matches no objects.", error.Message);
    }

    private static ObjectStoreFactory Factory() =>
        new(new StorageOptions(), new ResilienceOptions(), NullLoggerFactory.Instance, environment: _ => null);
}
