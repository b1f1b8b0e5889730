using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

public class NfcNormalizerTests
{
    // Expected values from Python's unicodedata.normalize("NFC", ...), written as code points.
    [Theory]
    [InlineData("0065 0301", "00E9")] // composition
    [InlineData("212B", "00C5")] // singleton decomposition
    [InlineData("0041 030A", "00C5")]
    [InlineData("1112 1161 11AB", "D55C")] // Hangul L V T
    [InlineData("1100 1161", "AC00")] // Hangul L V
    [InlineData("AC00 11A8", "AC01")] // Hangul LV T
    [InlineData("0071 0307 0323", "0071 0323 0307")] // canonical reordering, nothing to compose
    [InlineData("1E0B 0323", "1E0D 0307")] // decompose, reorder, recompose with the other mark
    [InlineData("0958", "0915 093C")] // composition exclusion
    [InlineData("1D15E", "1D157 1D165")] // supplementary-plane exclusion
    [InlineData("0344", "0308 0301")] // non-starter decomposition
    [InlineData("0301 0065", "0301 0065")] // a leading mark does not compose
    [InlineData("0061 0328 0301", "0105 0301")] // the second mark is blocked from composing
    [InlineData("00E9 0301", "00E9 0301")]
    [InlineData("0B47 0B3E", "0B4B")] // a starter that composes with a starter
    [InlineData("0041 0042 0043", "0041 0042 0043")]
    public void Normalize_GivesTheNfcForm(string input, string expected)
    {
        Assert.Equal(FromCodePoints(expected), NfcNormalizer.Normalize(FromCodePoints(input)));
    }

    [Theory]
    [InlineData("plain ASCII text")]
    [InlineData("caf\u00E9 na\u00EFve")]
    [InlineData("\u65E5\u672C\u8A9E \uD55C\uAD6D\uC5B4 \uD83E\uDD16")]
    public void MayNeedNormalization_IsFalseForTextAlreadyInNfc(string text)
    {
        Assert.False(NfcNormalizer.MayNeedNormalization(text));
        Assert.Equal(text, NfcNormalizer.Normalize(text));
    }

    [Theory]
    [InlineData("cafe\u0301")]
    [InlineData("\u212B")]
    [InlineData("\u1100\u1161")]
    [InlineData("\uD834\uDD5E")]
    public void MayNeedNormalization_IsTrueForTextThatNfcCouldChange(string text)
    {
        Assert.True(NfcNormalizer.MayNeedNormalization(text));
    }

    // As UTF-16 code units: test data holding lone surrogates does not survive xunit's serialization.
    [Theory]
    [InlineData("0061 0062 D800 0063 0064", 2)]
    [InlineData("0061 0062 DC00", 2)]
    [InlineData("0301 D83E", 1)]
    public void UnpairedSurrogates_AreRejected(string utf16Units, int index)
    {
        string text = new([.. utf16Units.Split(' ').Select(unit => (char)Convert.ToInt32(unit, 16))]);
        Assert.Contains($"index {index}", Assert.Throws<ArgumentException>(() => NfcNormalizer.Normalize(text)).Message, StringComparison.Ordinal);
        // The quick check stops at the first character that needs normalization; used as the tokenizer uses it, the
        // pair rejects every unpaired surrogate.
        Assert.Contains($"index {index}", Assert.Throws<ArgumentException>(() =>
        {
            if (NfcNormalizer.MayNeedNormalization(text))
                NfcNormalizer.Normalize(text);
        }).Message, StringComparison.Ordinal);
    }

    private static string FromCodePoints(string hex)
        => string.Concat(hex.Split(' ').Select(codePoint => char.ConvertFromUtf32(Convert.ToInt32(codePoint, 16))));
}
