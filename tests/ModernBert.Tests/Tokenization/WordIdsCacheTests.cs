using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

public class WordIdsCacheTests
{
    [Fact]
    public void TryGet_FindsWhatWasAdded()
    {
        var cache = new WordIdsCache();
        cache.Add("Ġhello", [1, 2]);

        Assert.True(cache.TryGet("Ġhello".AsSpan(), out int[]? ids));
        Assert.Equal([1, 2], ids);
        Assert.False(cache.TryGet("hello".AsSpan(), out _));
    }

    [Fact]
    public void Add_SkipsLongWords()
    {
        var cache = new WordIdsCache();
        string longWord = new('a', WordIdsCache.MaxWordLength + 1);
        cache.Add(longWord, [1]);

        Assert.False(cache.TryGet(longWord, out _));
    }

    [Fact]
    public void Add_StartsOverWhenFull()
    {
        var cache = new WordIdsCache();
        for (int i = 0; i < WordIdsCache.Capacity; i++)
            cache.Add($"w{i}", [i]);
        Assert.Equal(WordIdsCache.Capacity, cache.Count);

        cache.Add("one more", [0]);

        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet("one more", out _));
    }
}
