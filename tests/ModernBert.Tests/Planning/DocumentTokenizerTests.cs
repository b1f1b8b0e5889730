using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tests.Common;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Planning;

public sealed class DocumentTokenizerTests
{
    private const string Origin = "corpus.jsonl:3";

    [Fact]
    public void ATextIsEncodedWithSpecialTokens()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const string text = "The quick brown fox jumps over the lazy dog.";

        TokenizedRecord record = Tokenizer(tokenizer, 512).Tokenize(new InputDocument("doc", text, null, Origin));

        DocumentChunk chunk = Assert.Single(record.Chunks!);
        int[] expected = tokenizer.Encode(text);
        Assert.Equal(expected, chunk.InputIds);
        Assert.Equal(("doc", 0, 0, expected.Length - 2), (chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd));
        Assert.Null(record.Rejection);
    }

    [Fact]
    public void ALongTextIsSplitIntoOverlappingWindowsWithTheirSpans()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        string text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        int[] content = tokenizer.EncodeWithoutSpecialTokens(text);
        const int windowTokens = 16, overlap = 4, stride = windowTokens - 2 - overlap;

        DocumentChunk[] chunks = new DocumentTokenizer(tokenizer, new DocumentWindows(windowTokens, overlap, tokenizer.ClsTokenId, tokenizer.SepTokenId))
            .Tokenize(new InputDocument("long", text, null, Origin)).Chunks!;

        Assert.True(chunks.Length > 3, $"{content.Length} tokens gave only {chunks.Length} chunks.");
        for (int i = 0; i < chunks.Length; i++)
        {
            DocumentChunk chunk = chunks[i];
            int start = i * stride;
            int end = Math.Min(start + windowTokens - 2, content.Length);
            Assert.Equal(("long", i, start, end), (chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd));
            Assert.Equal([tokenizer.ClsTokenId, .. content[start..end], tokenizer.SepTokenId], chunk.InputIds);
        }
        Assert.Equal(content.Length, chunks[^1].TokenEnd);
    }

    [Fact]
    public void AnEmptyTextIsADocumentOfClsAndSep()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512).Tokenize(new InputDocument("empty", "", null, Origin)).Chunks!);

        Assert.Equal([tokenizer.ClsTokenId, tokenizer.SepTokenId], chunk.InputIds);
        Assert.Equal((0, 0), (chunk.TokenStart, chunk.TokenEnd));
    }

    [Fact]
    public void PreTokenizedIdsAreTakenAsGivenAndPreferredToTheText()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] ids = [tokenizer.ClsTokenId, 100, 200, 0, tokenizer.VocabularySize - 1, tokenizer.SepTokenId];

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512).Tokenize(new InputDocument("ids", "ignored text", ids, Origin)).Chunks!);

        Assert.Same(ids, chunk.InputIds);
        Assert.Equal((0, 4), (chunk.TokenStart, chunk.TokenEnd));
    }

    [Fact]
    public void IdsOutsideTheVocabularyRejectTheDocument()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] ids = [tokenizer.ClsTokenId, 100, tokenizer.VocabularySize, tokenizer.SepTokenId];

        TokenizedRecord record = Tokenizer(tokenizer, 512).Tokenize(new InputDocument("bad", null, ids, Origin));

        Assert.Null(record.Chunks);
        Assert.Equal(new RejectedDocument("bad", Origin,
            $"input id {tokenizer.VocabularySize} at position 2 is outside the vocabulary (0..{tokenizer.VocabularySize - 1})"), record.Rejection);
    }

    [Fact]
    public void IdsAreCheckedAgainstTheModelsVocabulary_IdsTheTokenizerLacksButTheModelHasAreAccepted()
    {
        // A model whose embedding matrix is padded beyond its tokenizer's ids (267), as checkpoints pad to a multiple of 64.
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path, modelVocabularySize: 320);
        DocumentTokenizer documents = Tokenizer(tokenizer, 512);
        int[] padded = [TinyTokenizer.Cls, 300, 319, TinyTokenizer.Sep];

        Assert.Equal(padded, Assert.Single(documents.Tokenize(new InputDocument("padded", null, padded, Origin)).Chunks!).InputIds);
        Assert.Equal(new RejectedDocument("beyond", Origin, "input id 320 at position 2 is outside the vocabulary (0..319)"),
            documents.Tokenize(new InputDocument("beyond", null, [TinyTokenizer.Cls, 300, 320, TinyTokenizer.Sep], Origin)).Rejection);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void PreTokenizedIdsAreReadWithClsAndSep_AddedWhereMissing_ShortOrLong(bool cls, bool sep)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] content = [.. Enumerable.Range(1000, 30)];
        int[] ids = [.. cls ? [tokenizer.ClsTokenId] : Array.Empty<int>(), .. content, .. sep ? [tokenizer.SepTokenId] : Array.Empty<int>()];

        DocumentChunk whole = Assert.Single(Tokenizer(tokenizer, 512).Tokenize(new InputDocument("short", null, ids, Origin)).Chunks!);
        DocumentChunk[] windows = Tokenizer(tokenizer, 12).Tokenize(new InputDocument("long", null, ids, Origin)).Chunks!;

        Assert.Equal([tokenizer.ClsTokenId, .. content, tokenizer.SepTokenId], whole.InputIds);
        Assert.Equal((0, content.Length), (whole.TokenStart, whole.TokenEnd));
        Assert.Equal(3, windows.Length);
        Assert.All(windows, window => Assert.Equal([tokenizer.ClsTokenId, .. content[window.TokenStart..window.TokenEnd], tokenizer.SepTokenId], window.InputIds));
    }

    [Fact]
    public void EmptyIdsRejectTheDocument()
    {
        TokenizedRecord record = Tokenizer(ReferenceTokenizer.Load(), 512).Tokenize(new InputDocument("none", "text", [], Origin));

        Assert.Null(record.Chunks);
        Assert.Equal(("none", Origin), (record.Rejection!.Id, record.Rejection.Origin));
        Assert.Contains("input ids are empty", record.Rejection.Reason);
    }

    [Fact]
    public void TextThatIsNotValidUnicodeRejectsTheDocument()
    {
        TokenizedRecord record = Tokenizer(ReferenceTokenizer.Load(), 512).Tokenize(new InputDocument("surrogate", "broken \ud800 text", null, Origin));

        Assert.Null(record.Chunks);
        Assert.Equal(("surrogate", Origin), (record.Rejection!.Id, record.Rejection.Origin));
        Assert.StartsWith("the text cannot be tokenized: ", record.Rejection.Reason);
    }

    [Fact]
    public void AMalformedRecordBecomesARejectionWithItsOriginAndReason()
    {
        TokenizedRecord record = Tokenizer(ReferenceTokenizer.Load(), 512).Tokenize(new MalformedInput("invalid JSON: oops", Origin));

        Assert.Equal(new RejectedDocument(null, Origin, "invalid JSON: oops"), record.Rejection);
        Assert.Equal($"{Origin}: invalid JSON: oops", record.Rejection!.ToString());
    }

    [Fact]
    public void ARecordInAnEncodingTheTaskDoesNotTakeIsRejected_TheOthersAreRead()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        var window = new DocumentWindows(512, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        var textOnly = new DocumentTokenizer(tokenizer, window, InputEncodings.Text);
        var idsOnly = new DocumentTokenizer(tokenizer, window, InputEncodings.TokenIds);
        var ids = new InputDocument("ids", null, [tokenizer.ClsTokenId, 100, tokenizer.SepTokenId], Origin);
        var text = new InputDocument("text", "Some text.", null, Origin);

        Assert.Equal(new RejectedDocument("ids", Origin, "the task takes no pre-tokenized input ids"), textOnly.Tokenize(ids).Rejection);
        Assert.Equal(new RejectedDocument("text", Origin, "the task takes no text"), idsOnly.Tokenize(text).Rejection);
        Assert.Equal(tokenizer.Encode("Some text."), Assert.Single(textOnly.Tokenize(text).Chunks!).InputIds);
        Assert.Equal(ids.InputIds, Assert.Single(idsOnly.Tokenize(ids).Chunks!).InputIds);
    }

    private static DocumentTokenizer Tokenizer(ModernBertTokenizer tokenizer, int windowTokens) =>
        new(tokenizer, new DocumentWindows(windowTokens, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId));
}
