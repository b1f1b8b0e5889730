using ModernBert.Documents;

namespace ModernBert.Tests.Documents;

public sealed class DocumentWindowsTests
{
    private const int Cls = 1, Sep = 2;

    [Fact]
    public void ADocumentThatFitsIsOneChunkWithItsIdsUnchanged()
    {
        int[] ids = [Cls, 10, 11, 12, Sep];
        DocumentChunk chunk = Assert.Single(new DocumentWindows(8, 0, Cls, Sep).Split("doc", ids));
        Assert.Equal(("doc", 0, 0, 3), (chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd));
        Assert.Same(ids, chunk.InputIds);
    }

    [Fact]
    public void ALongDocumentIsSplitIntoWrappedWindowsCoveringEveryTokenOnce()
    {
        int[] content = Enumerable.Range(100, 13).ToArray();
        var chunks = new DocumentWindows(7, 0, Cls, Sep).Split("long", [Cls, .. content, Sep]).ToList();

        Assert.Equal([(0, 0, 5), (1, 5, 10), (2, 10, 13)], chunks.Select(c => (c.Chunk, c.TokenStart, c.TokenEnd)));
        Assert.All(chunks, c => Assert.True(c.InputIds.Length <= 7));
        Assert.All(chunks, c => Assert.Equal([Cls, .. content[c.TokenStart..c.TokenEnd], Sep], c.InputIds));
    }

    [Fact]
    public void WindowsOverlapByTheConfiguredNumberOfTokens()
    {
        int[] content = Enumerable.Range(100, 12).ToArray();
        var chunks = new DocumentWindows(7, 2, Cls, Sep).Split("d", [Cls, .. content, Sep]).ToList();
        Assert.Equal([(0, 5), (3, 8), (6, 11), (9, 12)], chunks.Select(c => (c.TokenStart, c.TokenEnd)));
    }

    [Fact]
    public void PreTokenizedIdsWithoutSpecialTokensAreSplitOverAllTheirTokens()
    {
        int[] ids = Enumerable.Range(100, 9).ToArray();
        var chunks = new DocumentWindows(6, 0, Cls, Sep).Split("raw", ids).ToList();
        Assert.Equal([(0, 4), (4, 8), (8, 9)], chunks.Select(c => (c.TokenStart, c.TokenEnd)));
        Assert.Equal([Cls, 108, Sep], chunks[^1].InputIds);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(8, -1)]
    [InlineData(8, 6)]
    public void ImpossibleSettingsAreRejected(int maxTokens, int overlap) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentWindows(maxTokens, overlap, Cls, Sep));
}
