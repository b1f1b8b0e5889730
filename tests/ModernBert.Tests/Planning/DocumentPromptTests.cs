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

    private static DocumentTokenizer Tokenizer(ModernBertTokenizer tokenizer, int windowTokens) =>
        new(tokenizer, new DocumentWindows(windowTokens, 2, tokenizer.ClsTokenId, tokenizer.SepTokenId),
            InputEncodings.Text | InputEncodings.TokenIds, new DocumentPrompt(tokenizer, Prompt));
}
