using System.Buffers;
using System.Text;

namespace ModernBert.Tokenization.Normalizers;

/// <summary>
/// BertNormalizer (tokenizers/src/normalizers/bert.rs): drops NUL, U+FFFD and control characters and turns
/// whitespace into spaces (clean_text), puts spaces around CJK ideographs (handle_chinese_chars), removes
/// non-spacing marks after NFD (strip_accents, which defaults to lowercase), and lowercases.
/// </summary>
internal sealed class BertNormalizer(bool cleanText, bool handleChineseCharacters, bool? stripAccents, bool lowercase) : INormalizer
{
    private static readonly Rune Space = new(' ');
    private static readonly Func<Rune, bool> IsKeptByCleaning = rune => rune.Value is not (0 or 0xFFFD) && !IsControl(rune);
    private static readonly Func<Rune, Rune> SpaceForWhitespace = rune => IsWhitespace(rune) ? Space : rune;
    private static readonly Func<Rune, bool> IsNotNonSpacingMark = rune => !UnicodeCategories.IsNonspacingMark(rune.Value);
    private static readonly SearchValues<char> KeptAsciiByCleaning = NormalizedText.AsciiWhere(IsKeptByCleaning);
    private static readonly SearchValues<char> AsciiNotWhitespace = NormalizedText.AsciiWhere(rune => !IsWhitespace(rune) || rune == Space);
    private static readonly SearchValues<char> AsciiNotNonSpacingMark = NormalizedText.AsciiWhere(IsNotNonSpacingMark);

    public void Normalize(NormalizedText text)
    {
        if (cleanText)
        {
            text.Filter(IsKeptByCleaning, KeptAsciiByCleaning);
            text.Map(SpaceForWhitespace, AsciiNotWhitespace);
        }
        if (handleChineseCharacters && HasChineseCharacter(text.Text))
            text.Transform([.. text.Runes().SelectMany(SpaceAroundIdeograph)], initialOffset: 0);
        if (stripAccents ?? lowercase)
        {
            UnicodeFormNormalizer.Nfd.Normalize(text);
            text.Filter(IsNotNonSpacingMark, AsciiNotNonSpacingMark);
        }
        if (lowercase)
            LowercaseNormalizer.Lower(text);
    }

    private static IEnumerable<(Rune Rune, int Change)> SpaceAroundIdeograph(Rune rune)
        => IsChineseCharacter(rune.Value) ? [(Space, 0), (rune, 1), (Space, 1)] : [(rune, 0)];

    private static bool IsWhitespace(Rune rune) => rune.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(rune);

    /// <summary>
    /// unicode_categories' <c>is_other</c> except tab, line feed and carriage return: Cc, Cf and Co only, whatever
    /// tokenizers' bert.rs says beside it, so unassigned code points are kept.
    /// </summary>
    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && UnicodeCategories.IsOther(rune.Value);

    private static bool HasChineseCharacter(string text)
    {
        // The ideographs start at U+3400; below that, no unit can be one (nor start a surrogate pair).
        for (int i = text.AsSpan().IndexOfAnyInRange('\u3400', '\uFFFF'); i >= 0 && i < text.Length; i++)
        {
            if (Rune.TryGetRuneAt(text, i, out Rune rune) && IsChineseCharacter(rune.Value))
                return true;
        }
        return false;
    }

    private static bool IsChineseCharacter(int codePoint) => codePoint is >= 0x4E00 and <= 0x9FFF
        or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
        or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF
        or >= 0x2F800 and <= 0x2FA1F;
}
