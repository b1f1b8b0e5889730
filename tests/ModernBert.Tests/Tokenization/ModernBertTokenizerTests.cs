using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

public class ModernBertTokenizerTests
{
    public static IEnumerable<TheoryDataRow<int>> Cases() => ReferenceTokenizer.CaseRows();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_GivesTheIdsOfHuggingFaceTokenizers(int caseIndex)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        ReferenceCase reference = ReferenceTokenizer.Cases()[caseIndex];

        Assert.Equal(reference.Ids, tokenizer.Encode(reference.Text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeWithoutSpecialTokens_GivesTheIdsBetweenClsAndSep(int caseIndex)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        ReferenceCase reference = ReferenceTokenizer.Cases()[caseIndex];

        Assert.Equal(reference.Ids[1..^1], tokenizer.EncodeWithoutSpecialTokens(reference.Text));
    }

    [Fact]
    public void Load_ReadsTheSpecialTokenIdsAndVocabularySize()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();

        Assert.Equal(50281, tokenizer.ClsTokenId);
        Assert.Equal(50282, tokenizer.SepTokenId);
        Assert.Equal(50368, tokenizer.VocabularySize);
    }

    [Theory]
    [InlineData("tiny-modernbert-mlm")]
    [InlineData("tiny-modernbert-cls")]
    public void Load_FromACheckpointFolder_GivesTheReferenceIds(string checkpoint)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load(checkpoint);

        Assert.Equal(50281, tokenizer.ClsTokenId);
        Assert.Equal(50282, tokenizer.SepTokenId);
        foreach (ReferenceCase reference in ReferenceTokenizer.Cases())
            Assert.Equal(reference.Ids, tokenizer.Encode(reference.Text));
    }

    [Fact]
    public void Encode_FromManyThreads_GivesTheSerialResults()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        string[] texts = [.. ReferenceTokenizer.Cases().Select(c => c.Text), .. SyntheticDocuments(400)];
        int[][] serial = [.. texts.Select(tokenizer.Encode)];

        var parallel = new int[texts.Length * 8][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => parallel[i] = tokenizer.Encode(texts[i % texts.Length]));

        for (int i = 0; i < parallel.Length; i++)
            Assert.Equal(serial[i % texts.Length], parallel[i]);
    }

    [Fact]
    public void Encode_NfdAndNfcSpellings_GiveTheSameIds()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();

        Assert.Equal(tokenizer.Encode("caf\u00E9 \uD55C"), tokenizer.Encode("cafe\u0301 \u1112\u1161\u11AB"));
    }

    [Fact]
    public void Encode_UnpairedSurrogate_IsRejected()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();

        ArgumentException error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("ab\uD83Dcd"));
        Assert.Contains("index 2", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Documents mixing words, numbers, whitespace runs and special-token strings, from a fixed seed.</summary>
    private static IEnumerable<string> SyntheticDocuments(int count)
    {
        string[] pieces = ["the", " model", "  ", "\n", "42", " [MASK]", "[CLS]", "é", "e\u0301", " 日本", "🤖", "\t", "'s", "<|endoftext|>", "    "];
        var random = new Random(1234);
        for (int i = 0; i < count; i++)
            yield return string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => pieces[random.Next(pieces.Length)]));
    }
}
