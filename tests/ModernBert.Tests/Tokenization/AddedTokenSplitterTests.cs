using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

public class AddedTokenSplitterTests
{
    [Fact]
    public void Split_TakesTheLongestMatchAtTheLeftmostPosition()
    {
        AddedTokenSplitter splitter = Splitter(Token(1, "  "), Token(2, "   "));

        Assert.Equal([("a", -1), ("   ", 2), ("  ", 1), ("b", -1)], Segments(splitter, "a     b"));
    }

    [Fact]
    public void Split_PrefersAnEarlierMatchToALongerLaterOne()
    {
        AddedTokenSplitter splitter = Splitter(Token(1, "ab"), Token(2, "bcd"));

        Assert.Equal([("ab", 1), ("cd", -1)], Segments(splitter, "abcd"));
    }

    [Fact]
    public void Split_LeftStrip_TakesTheWhitespaceBefore()
    {
        AddedTokenSplitter splitter = Splitter(Token(4, "[MASK]") with { LeftStrip = true });

        Assert.Equal([("The", -1), (" \t [MASK]", 4), (" sat", -1)], Segments(splitter, "The \t [MASK] sat"));
    }

    [Fact]
    public void Split_RightStrip_TakesTheWhitespaceAfter()
    {
        AddedTokenSplitter splitter = Splitter(Token(7, "<s>") with { RightStrip = true });

        Assert.Equal([("<s>  ", 7), ("x", -1)], Segments(splitter, "<s>  x"));
    }

    [Fact]
    public void Split_LeftStrip_DoesNotTakeWhitespaceThatThePreviousTokenTook()
    {
        AddedTokenSplitter splitter = Splitter(Token(1, "[A]") with { RightStrip = true }, Token(2, "[B]") with { LeftStrip = true });

        Assert.Equal([("[A]  ", 1), ("[B]", 2)], Segments(splitter, "[A]  [B]"));
    }

    [Fact]
    public void Split_SingleWord_MatchesOnlyWithoutWordCharactersAround()
    {
        AddedTokenSplitter splitter = Splitter(Token(3, "cat") with { SingleWord = true });

        Assert.Equal([("cat", 3), (" concat ", -1), ("cat", 3), (". \u00E9cat", -1)], Segments(splitter, "cat concat cat. \u00E9cat"));
    }

    [Fact]
    public void Split_WithoutMatches_GivesTheWholeText()
    {
        Assert.Equal([("no tokens here", -1)], Segments(Splitter(Token(1, "[CLS]")), "no tokens here"));
        Assert.Equal([("text", -1)], Segments(Splitter(), "text"));
        Assert.Empty(Segments(Splitter(Token(1, "[CLS]")), ""));
    }

    [Fact]
    public void Split_AdjacentTokens_GiveNoEmptyTextBetween()
    {
        AddedTokenSplitter splitter = Splitter(Token(1, "[CLS]"), Token(2, "[SEP]"));

        Assert.Equal([("[CLS]", 1), ("[SEP]", 2), ("[CLS]", 1)], Segments(splitter, "[CLS][SEP][CLS]"));
    }

    [Fact]
    public void Split_OfTwoTokensWithTheSamePattern_MatchesTheFirst()
    {
        Assert.Equal([("a ", -1), ("[X]", 2)], Segments(Splitter(Token(2, "[X]"), Token(1, "[X]")), "a [X]"));
    }

    [Fact]
    public void Constructor_IgnoresEmptyTokens()
    {
        Assert.Equal([("a", -1)], Segments(Splitter(Token(1, "")), "a"));
    }

    private static AddedToken Token(int id, string content)
        => new(id, content, Special: true, SingleWord: false, LeftStrip: false, RightStrip: false, Normalized: false);

    private static AddedTokenSplitter Splitter(params AddedToken[] tokens)
        => new(tokens.Select(token => (token.Content, token)));

    private static List<(string Text, int TokenId)> Segments(AddedTokenSplitter splitter, string text)
    {
        var segments = new List<(string, int)>();
        foreach (TextSegment segment in splitter.Split(text))
            segments.Add((text.Substring(segment.Start, segment.Length), segment.TokenId));
        return segments;
    }
}
