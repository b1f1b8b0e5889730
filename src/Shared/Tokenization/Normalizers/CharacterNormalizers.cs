using System.Buffers;
using System.Text;

namespace ModernBert.Tokenization.Normalizers;

/// <summary>
/// Lowercase (tokenizers/src/normalizers/utils.rs): Rust's <c>char::to_lowercase</c>, the full Unicode mapping;
/// its one multi-character case (U+0130 to "i\u0307") is added to .NET's simple mapping.
/// </summary>
internal sealed class LowercaseNormalizer : INormalizer
{
    private static readonly Rune DottedCapitalI = new(0x0130);
    private static readonly SearchValues<char> AsciiNotUpper = NormalizedText.AsciiWhere(rune => Rune.ToLowerInvariant(rune) == rune);

    public void Normalize(NormalizedText text) => Lower(text);

    /// <summary>Lowercases <paramref name="text"/>, one character for one except U+0130.</summary>
    public static void Lower(NormalizedText text)
    {
        string units = text.Text;
        if (Ascii.IsValid(units))
        {
            if (units.AsSpan().ContainsAnyInRange('A', 'Z'))
                text.ReplaceSameLength(string.Create(units.Length, units, static (lower, source) => Ascii.ToLower(source, lower, out _)));
            return;
        }
        if (units.Contains((char)DottedCapitalI.Value, StringComparison.Ordinal))
            text.MapToMany(Lower);
        else
            text.Map(Rune.ToLowerInvariant, AsciiNotUpper);
    }

    private static IEnumerable<Rune> Lower(Rune rune)
    {
        if (rune == DottedCapitalI)
            return [new Rune('i'), new Rune(0x0307)];
        return [Rune.ToLowerInvariant(rune)];
    }
}

/// <summary>Strip (tokenizers/src/normalizers/strip.rs): removes leading and/or trailing whitespace.</summary>
internal sealed class StripNormalizer(bool left, bool right) : INormalizer
{
    public void Normalize(NormalizedText text) => text.Strip(left, right);
}

/// <summary>StripAccents (strip.rs): removes combining marks (Mn, Mc, Me), which only NFD text has apart.</summary>
internal sealed class StripAccentsNormalizer : INormalizer
{
    private static readonly Func<Rune, bool> IsNotMark = rune => !IsMark(rune);
    private static readonly SearchValues<char> AsciiNotMark = NormalizedText.AsciiWhere(IsNotMark);

    public void Normalize(NormalizedText text) => text.Filter(IsNotMark, AsciiNotMark);

    /// <summary>unicode-normalization-alignments' is_combining_mark, on its Unicode 9.0 tables (tokenizers' strip.rs).</summary>
    public static bool IsMark(Rune rune) => UnicodeCategories.IsCombiningMark(rune.Value);
}

/// <summary>Replace (tokenizers/src/normalizers/replace.rs): each match of a string or regex becomes the content.</summary>
internal sealed class ReplaceNormalizer(TextPattern pattern, string content) : INormalizer
{
    public void Normalize(NormalizedText text) => text.Replace(pattern.FindMatches(text.Text), content);
}

/// <summary>Prepend (tokenizers/src/normalizers/prepend.rs): puts a string before a non-empty text.</summary>
internal sealed class PrependNormalizer(string prefix) : INormalizer
{
    public void Normalize(NormalizedText text) => text.Prepend(prefix);
}

/// <summary>Sequence (utils.rs): the normalizers in order.</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<INormalizer> normalizers) : INormalizer
{
    public IReadOnlyList<INormalizer> Normalizers => normalizers;

    public void Normalize(NormalizedText text)
    {
        foreach (INormalizer normalizer in normalizers)
            normalizer.Normalize(text);
    }
}
