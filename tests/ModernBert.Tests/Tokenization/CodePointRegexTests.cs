using System.Text.RegularExpressions;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>Unicode categories rewritten to take characters beyond the BMP by code point (the tokenizers' tests hold it to Hugging Face).</summary>
public sealed class CodePointRegexTests
{
    [Theory]
    [InlineData(@"\p{L}+", "𝐀b𠮷, c", new[] { "𝐀b𠮷", "c" })]
    [InlineData(@"\p{N}+", "𝟏2𝟑a", new[] { "𝟏2𝟑" })]
    [InlineData(@"[^\s\p{L}\p{N}]+", "𝐀'𝟏,🤖 x", new[] { "'", ",🤖" })]
    [InlineData(@"[^x\p{L}-]+", "-𝐀=🤖x", new[] { "=🤖" })]
    [InlineData(@"[\p{Lu}]+", "𝐀𝐚A", new[] { "𝐀", "A" })]
    [InlineData(@"\P{L}+", "𝐀🤖,b", new[] { "🤖," })]
    [InlineData(@"'s|\p{L}+", "𝐀's", new[] { "𝐀", "'s" })]
    public void CategoriesMatchAstralCodePointsAsThemselves(string pattern, string text, string[] expected)
    {
        var regex = new Regex(CodePointRegex.Rewrite(pattern)!);

        Assert.Equal(expected, regex.Matches(text).Select(match => match.Value));
    }

    [Theory]
    [InlineData(@"\s+|[a-z]+")]
    [InlineData(@"\p{IsGreek}+")]
    [InlineData(@"[\p{L}-[a-z]]+")]
    public void APatternWithoutCategoriesOrWithOnesItCannotRewriteIsLeftAlone(string pattern)
    {
        Assert.Null(CodePointRegex.Rewrite(pattern));
        Assert.Null(CodePointRegex.ForAstralTexts(pattern, RegexOptions.None).Value);
    }

    [Fact]
    public void TextsWithoutSurrogatesKeepTheOriginalRegex()
    {
        var original = new Regex(@"\p{L}+");
        Lazy<Regex?> astral = CodePointRegex.ForAstralTexts(original.ToString(), RegexOptions.None);

        Assert.Same(original, CodePointRegex.For("plain text, ünïcödé", original, astral));
        Assert.False(astral.IsValueCreated); // built for the first text that needs it
        Assert.Same(astral.Value, CodePointRegex.For("𝐀", original, astral));
        var spaces = new Regex(@"\s+"); // no category: no astral regex
        Assert.Same(spaces, CodePointRegex.For("𝐀 𝐁", spaces, CodePointRegex.ForAstralTexts(spaces.ToString(), RegexOptions.None)));
    }
}
