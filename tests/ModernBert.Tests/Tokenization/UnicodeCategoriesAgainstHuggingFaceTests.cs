using System.Text.Json;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// Holds <see cref="UnicodeCategories"/> to Hugging Face tokenizers over every code point (tests/tools/hf-categories.mjs):
/// what BertPreTokenizer takes for punctuation, what BertNormalizer's cleaning removes and its accent stripping drops,
/// and what StripAccents drops. Their crates' tables are older than .NET's (Unicode 8.0 and 9.0).
/// </summary>
public sealed class UnicodeCategoriesAgainstHuggingFaceTests
{
    [Fact]
    public async Task EveryCodePointIsClassedAsInHuggingFace()
    {
        string[] lines = await HuggingFaceNode.RunAsync("hf-categories.mjs", []);
        HashSet<int>[] sets = [.. lines.Select(line => JsonSerializer.Deserialize<HashSet<int>>(line)!)];
        Assert.Equal(4, sets.Length);
        int[] codePoints = [.. Enumerable.Range(0, 0x110000).Where(codePoint => codePoint is < 0xD800 or > 0xDFFF)];

        AssertSame("punctuation", sets[0], codePoints, codePoint => codePoint is > 0x20 and < 0x7F && !char.IsAsciiLetterOrDigit((char)codePoint)
            || UnicodeCategories.IsPunctuation(codePoint));
        AssertSame("removed by cleaning", sets[1], codePoints, codePoint => codePoint is 0 or 0xFFFD
            || codePoint is not ('\t' or '\n' or '\r') && UnicodeCategories.IsOther(codePoint));
        AssertSame("stripped as an accent", sets[2], codePoints, codePoint => NfcNormalizer.NormalizeWithChanges(char.ConvertFromUtf32(codePoint),
            compatibility: false, compose: false).All(change => UnicodeCategories.IsNonspacingMark(change.Rune.Value)));
        AssertSame("a combining mark", sets[3], codePoints, UnicodeCategories.IsCombiningMark);
    }

    private static void AssertSame(string what, HashSet<int> huggingFace, int[] codePoints, Func<int, bool> ours)
    {
        string[] differences = [.. codePoints.Where(codePoint => huggingFace.Contains(codePoint) != ours(codePoint)).Take(20)
            .Select(codePoint => $"U+{codePoint:X4}: Hugging Face {huggingFace.Contains(codePoint)}, ours {ours(codePoint)}")];
        Assert.True(differences.Length == 0, $"Code points {what} differ from Hugging Face:\n{string.Join('\n', differences)}");
    }
}
