using ModernBert.Coordinator.Corpus;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Planning;

public sealed class DocumentPromptTests
{
    private const string Prompt = "search_document: ";

    [Fact]
    public void AShortDocumentIsThePromptAndTextTokenizedAsOneString()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const string text = "The quick brown fox.";

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512).Tokenize(new InputDocument("doc", text, null, "c:1")).Chunks!);

        Assert.Equal(tokenizer.Encode(Prompt + text), chunk.InputIds);
    }

    [Fact]
    public void EveryWindowStartsWithThePromptAndTheFirstIsSentenceTransformersTruncation()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        string text = string.Join(' ', Enumerable.Range(0, 80).Select(i => $"word{i}"));
        int[] full = tokenizer.Encode(Prompt + text);
        const int windowTokens = 24;

        DocumentChunk[] chunks = Tokenizer(tokenizer, windowTokens).Tokenize(new InputDocument("long", text, null, "c:1")).Chunks!;

        Assert.Equal([.. full[..(windowTokens - 1)], tokenizer.SepTokenId], chunks[0].InputIds);
        int[] prefix = chunks[0].InputIds[..(1 + (full.Length - 2 - chunks[^1].TokenEnd))];
        Assert.True(prefix.Length > 1);
        Assert.All(chunks, chunk => Assert.Equal(prefix, chunk.InputIds[..prefix.Length]));
        Assert.All(chunks, chunk => Assert.True(chunk.InputIds.Length <= windowTokens));
        int[] content = full[prefix.Length..^1];
        Assert.All(chunks, chunk => Assert.Equal(content[chunk.TokenStart..chunk.TokenEnd], chunk.InputIds[prefix.Length..^1]));
        Assert.Equal(0, chunks[0].TokenStart);
        Assert.Equal(content.Length, chunks[^1].TokenEnd);
    }

    [Fact]
    public void PreTokenizedIdsGetThePromptTokensAfterCls()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] ids = tokenizer.Encode("pre tokenized");

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512).Tokenize(new InputDocument("ids", null, ids, "c:1")).Chunks!);

        Assert.Equal([ids[0], .. tokenizer.EncodeWithoutSpecialTokens(Prompt), .. ids[1..]], chunk.InputIds);
    }

    [Fact]
    public void APrefixTokenIsPutAfterClsOfEveryWindow()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        string text = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i}"));
        int[] content = tokenizer.EncodeWithoutSpecialTokens(text);
        int prefix = tokenizer.EncodeWithoutSpecialTokens("[unused1]").Single();
        var documents = new DocumentTokenizer(tokenizer, new DocumentWindows(16, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text, new TaskTokenization(16, PrefixToken: "[unused1]"));

        DocumentChunk[] chunks = documents.Tokenize(new InputDocument("doc", text, null, "c:1")).Chunks!;

        Assert.True(chunks.Length > 2);
        Assert.All(chunks, chunk => Assert.Equal(
            [tokenizer.ClsTokenId, prefix, .. content[chunk.TokenStart..chunk.TokenEnd], tokenizer.SepTokenId], chunk.InputIds));
        Assert.Equal(content.Length, chunks[^1].TokenEnd);
    }

    [Theory]
    [InlineData("short query", true)]
    [InlineData("a much longer query with many more words than the query length allows", true)]
    [InlineData("short query", false)]
    public void AQueryIsOneChunkTruncatedAndExpandedWithMaskToItsLength(string text, bool expand)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const int length = 10;
        int prefix = tokenizer.EncodeWithoutSpecialTokens("[unused0]").Single();
        int mask = tokenizer.EncodeWithoutSpecialTokens("[MASK]").Single();
        int[] content = tokenizer.EncodeWithoutSpecialTokens(text);
        var documents = new DocumentTokenizer(tokenizer, new DocumentWindows(512, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text, new TaskTokenization(length, PrefixToken: "[unused0]", Query: true, ExpandWithMask: expand));

        DocumentChunk chunk = Assert.Single(documents.Tokenize(new InputDocument("q", text, null, "c:1")).Chunks!);

        int kept = Math.Min(content.Length, length - 3);
        int[] shaped = [tokenizer.ClsTokenId, prefix, .. content[..kept], tokenizer.SepTokenId];
        Assert.Equal(expand ? [.. shaped, .. Enumerable.Repeat(mask, length - shaped.Length)] : shaped, chunk.InputIds);
        Assert.Equal((0, kept), (chunk.TokenStart, chunk.TokenEnd));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TextsAreStrippedAsPythonsStrStripDoesWhenTheTaskSaysSo(bool query)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const string text = "late interaction\tretrieval";
        var stripping = new DocumentTokenizer(tokenizer, new DocumentWindows(512, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text, new TaskTokenization(32, PrefixToken: "[unused0]", Query: query, StripText: true));
        int[] Ids(string document) => Assert.Single(stripping.Tokenize(new InputDocument("d", document, null, "c:1")).Chunks!).InputIds;

        // Python's whitespace is .NET's and U+001C to U+001F; U+200B (zero width space) is neither, and stays.
        Assert.Equal(Ids(text), Ids($" \n\u001F\u3000{text}\r\n\u0085 "));
        Assert.NotEqual(Ids(text), Ids($"{text}\u200B"));
        Assert.Equal([tokenizer.ClsTokenId, tokenizer.EncodeWithoutSpecialTokens("[unused0]").Single(), tokenizer.SepTokenId], Ids(" \n "));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APrefixTokenGoesBeforeThePrompt_WhichIsStrippedWithTheTextAsOneString(bool query)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int prefix = tokenizer.EncodeWithoutSpecialTokens("[unused0]").Single();
        DocumentTokenizer Prompted(string prompt) => new(tokenizer, new DocumentWindows(512, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text | InputEncodings.TokenIds, new TaskTokenization(32, Prompt: prompt, PrefixToken: "[unused0]", Query: query, StripText: true));
        int[] Ids(DocumentTokenizer documents, InputDocument document) => Assert.Single(documents.Tokenize(document).Chunks!).InputIds;
        int[] Expected(string text) => [tokenizer.ClsTokenId, prefix, .. tokenizer.EncodeWithoutSpecialTokens(text), tokenizer.SepTokenId];

        // ColBERT.encode puts the prompt before the text, then Transformer.tokenize strips the whole: the whitespace
        // between them stays, the prompt's own trailing space goes with an empty text, and a blank prompt is none.
        Assert.Equal(Expected("query:   late interaction"), Ids(Prompted(" query: "), new InputDocument("d", "  late interaction \n", null, "c:1")));
        Assert.Equal(Expected("query:"), Ids(Prompted(" query: "), new InputDocument("d", " \t ", null, "c:1")));
        Assert.Equal(Expected("late interaction"), Ids(Prompted(" \n"), new InputDocument("d", "  late interaction ", null, "c:1")));
        int[] ids = tokenizer.Encode("pre tokenized");
        Assert.Equal([ids[0], prefix, .. tokenizer.EncodeWithoutSpecialTokens("query: "), .. ids[1..]],
            Ids(Prompted(" query: "), new InputDocument("d", null, ids, "c:1")));
    }

    [Fact]
    public void EveryWindowStartsWithThePrefixTokenAndThePrompt()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int prefix = tokenizer.EncodeWithoutSpecialTokens("[unused1]").Single();
        string text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        int[] full = tokenizer.Encode(Prompt + text);
        const int windowTokens = 24;
        var documents = new DocumentTokenizer(tokenizer, new DocumentWindows(windowTokens, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text, new TaskTokenization(windowTokens, Prompt: Prompt, PrefixToken: "[unused1]", StripText: true));

        DocumentChunk[] chunks = documents.Tokenize(new InputDocument("long", text, null, "c:1")).Chunks!;

        Assert.True(chunks.Length > 2);
        Assert.Equal([full[0], prefix, .. full[1..(windowTokens - 2)], tokenizer.SepTokenId], chunks[0].InputIds);
        int[] prompt = full[1..(full.Length - 1 - chunks[^1].TokenEnd)];
        int[] content = full[(1 + prompt.Length)..^1];
        Assert.NotEmpty(prompt);
        Assert.All(chunks, chunk => Assert.Equal(
            [tokenizer.ClsTokenId, prefix, .. prompt, .. content[chunk.TokenStart..chunk.TokenEnd], tokenizer.SepTokenId], chunk.InputIds));
        Assert.Equal(content.Length, chunks[^1].TokenEnd);
    }

    private static DocumentTokenizer Tokenizer(ModernBertTokenizer tokenizer, int windowTokens) =>
        new(tokenizer, new DocumentWindows(windowTokens, 2, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text | InputEncodings.TokenIds, new TaskTokenization(Prompt: Prompt));
}
