using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModernBert.Tokenization.PreTokenizers;

/// <summary>
/// The pre-tokenizers of tokenizers/src/pre_tokenizers that are one split each (whitespace.rs, digits.rs,
/// punctuation.rs, bert.rs, delimiter.rs, split.rs), with the character classes of Rust.
/// </summary>
internal static class StandardPreTokenizers
{
    /// <summary>
    /// Rust regex's Unicode <c>\w</c>: Alphabetic (letters, letter numbers, Other_Alphabetic: marks and the circled
    /// Latin letters Ⓐ-ⓩ), marks, decimal digits, connector punctuation, and the joiners.
    /// </summary>
    private const string WordCharacter = @"\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\u200C\u200D\u24B6-\u24E9";

    /// <summary>
    /// The rest of Other_Alphabetic that is no letter or mark, beyond the BMP (UTF-16 of U+1F130-1F149, U+1F150-1F169,
    /// U+1F170-1F189: squared and negative circled or squared Latin letters, category So; Unicode 15's PropList).
    /// </summary>
    private const string AstralWordCharacter = @"\uD83C[\uDD30-\uDD49\uDD50-\uDD69\uDD70-\uDD89]";

    /// <summary>Whitespace: <c>\w+|[^\w\s]+</c> are the pieces, the rest is dropped.</summary>
    public static IPreTokenizer Whitespace() => new PatternPreTokenizer(
        TextPattern.FromRegex($"(?:[{WordCharacter}]|{AstralWordCharacter})+|(?:(?!{AstralWordCharacter})[^{WordCharacter}\\s])+",
            RegexOptions.CultureInvariant | RegexOptions.Compiled).Inverted(),
        SplitBehavior.Removed);

    /// <summary>WhitespaceSplit: split at whitespace, which is dropped.</summary>
    public static IPreTokenizer WhitespaceSplit() => new PatternPreTokenizer(TextPattern.Characters(Rune.IsWhiteSpace), SplitBehavior.Removed);

    /// <summary>Digits: numbers (Rust's <c>char::is_numeric</c>: Nd, Nl, No) apart, one by one or in runs.</summary>
    public static IPreTokenizer Digits(bool individualDigits) => new PatternPreTokenizer(
        TextPattern.Characters(IsNumeric), individualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous);

    /// <summary>Punctuation: each punctuation character split off with the given behaviour.</summary>
    public static IPreTokenizer Punctuation(SplitBehavior behavior) => new PatternPreTokenizer(TextPattern.Characters(IsPunctuation), behavior);

    /// <summary>BertPreTokenizer: split at whitespace (dropped), then each punctuation character alone.</summary>
    public static IPreTokenizer Bert() => new SequencePreTokenizer([WhitespaceSplit(), Punctuation(SplitBehavior.Isolated)]);

    /// <summary>CharDelimiterSplit: split at one character, which is dropped.</summary>
    public static IPreTokenizer CharDelimiter(Rune delimiter) => new PatternPreTokenizer(TextPattern.Characters(rune => rune == delimiter), SplitBehavior.Removed);

    /// <summary>Split: a string or regex pattern, its behaviour, and invert.</summary>
    public static IPreTokenizer Split(TextPattern pattern, SplitBehavior behavior, bool invert)
        => new PatternPreTokenizer(invert ? pattern.Inverted() : pattern, behavior);

    private static bool IsNumeric(Rune rune) => Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    /// <summary>ASCII punctuation (symbols such as $ + &lt; included) or punctuation in the crate unicode_categories' tables (Unicode 8.0's P*).</summary>
    private static bool IsPunctuation(Rune rune) => rune.IsAscii && char.IsAsciiLetterOrDigit((char)rune.Value) is false
        && rune.Value is > 0x20 and < 0x7F
        || UnicodeCategories.IsPunctuation(rune.Value);
}
