using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModernBert.Tokenization;

/// <summary>
/// Rewrites a .NET regex so that its Unicode categories (<c>\p{L}</c>, <c>\P{N}</c>, <c>\d</c>, and classes holding them
/// such as GPT-2's <c>[^\s\p{L}\p{N}]</c>) and its '.' match characters outside the Basic Multilingual Plane as the code points they are,
/// as Hugging Face's regexes (Oniguruma, over UTF-8) do. .NET matches UTF-16 units, and a surrogate is in category Cs
/// whatever it encodes, so unchanged "𝐀's" or "𠮷野家" would split apart from Hugging Face's pieces. Each category
/// becomes itself or an alternation of the surrogate pairs of its astral code points (from .NET's Unicode data).
/// The rewritten regex is slower; callers keep the original for texts without surrogates.
/// </summary>
internal static class CodePointRegex
{
    private const string SurrogatePair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";

    private static readonly ConcurrentDictionary<string, string> AstralPairs = new(StringComparer.Ordinal);

    /// <summary>The categories a <c>\p{...}</c> name stands for: a general category or its one-letter group.</summary>
    private static readonly Dictionary<string, UnicodeCategory[]> Categories = BuildCategories();

    /// <summary>
    /// The regex to match texts holding surrogates with, interpreted (they are rare); null where the pattern needs no
    /// other (it has no Unicode category, or one this cannot rewrite: a block name, a class subtraction). It is built
    /// when a first such text comes: listing a category's astral code points takes tens of milliseconds.
    /// </summary>
    public static Lazy<Regex?> ForAstralTexts(string pattern, RegexOptions options) =>
        new(() => Rewrite(pattern) is { } rewritten ? new Regex(rewritten, options & ~RegexOptions.Compiled) : null);

    /// <summary>The astral regex for a text holding surrogates (when the pattern has one), else <paramref name="regex"/>.</summary>
    public static Regex For(ReadOnlySpan<char> text, Regex regex, Lazy<Regex?> astral) =>
        text.ContainsAnyInRange('\uD800', '\uDFFF') && astral.Value is { } astralRegex ? astralRegex : regex;

    /// <summary>The pattern with every Unicode category astral-aware; null when it has none (or one this cannot rewrite: a block name, class subtraction).</summary>
    public static string? Rewrite(string pattern)
    {
        var rewritten = new StringBuilder(pattern.Length);
        bool changed = false;
        for (int i = 0; i < pattern.Length;)
        {
            if (pattern[i] == '[')
            {
                int end = ClassEnd(pattern, i);
                if (end < 0)
                    return null;
                string original = pattern[i..end];
                if (RewriteClass(original) is not { } @class)
                    return null;
                rewritten.Append(@class);
                changed |= !ReferenceEquals(@class, original);
                i = end;
            }
            else if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                // \d is \p{Nd} in .NET as in Oniguruma, which also takes the astral digits (Osmanya's, mathematical ones).
                (string Name, int End)? category = pattern[i + 1] is 'd' or 'D' ? ("Nd", i + 2)
                    : pattern[i + 1] is 'p' or 'P' ? Category(pattern, i) : null;
                if (category is (string name, int end))
                {
                    if (!Categories.ContainsKey(name))
                        return null;
                    string astral = AstralOf([name]);
                    rewritten.Append(pattern[i + 1] is 'p' or 'd'
                        ? $"(?:\\p{{{name}}}|{astral})"
                        : $"(?:(?![\\uD800-\\uDFFF])\\P{{{name}}}|(?!{astral}){SurrogatePair})");
                    changed = true;
                    i = end;
                }
                else
                {
                    rewritten.Append(pattern, i, 2);
                    i += 2;
                }
            }
            else if (pattern[i] == '.')
            {
                // Any character but a newline: an astral one whole, where .NET's '.' takes half of it.
                rewritten.Append($"(?:{SurrogatePair}|.)");
                changed = true;
                i++;
            }
            else
            {
                rewritten.Append(pattern[i]);
                i++;
            }
        }
        return changed ? rewritten.ToString() : null;
    }

    /// <summary>
    /// A class holding categories as the class or their astral code points; a negated class as its BMP characters
    /// (surrogates left out) or any astral code point in none of its categories. A class without categories is returned
    /// as it is; null: a class with categories this cannot rewrite (a negated or unknown one, or a subtraction inside).
    /// </summary>
    private static string? RewriteClass(string @class)
    {
        bool negated = @class.StartsWith("[^", StringComparison.Ordinal);
        string body = @class[(negated ? 2 : 1)..^1];
        var names = new List<string>();
        bool rewritable = true;
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] == '[' || (body[i] == '-' && i + 1 < body.Length && body[i + 1] == '['))
                rewritable = false;
            else if (body[i] == '\\' && i + 1 < body.Length)
            {
                rewritable &= body[i + 1] is not ('P' or 'D');
                if (body[i + 1] == 'd')
                {
                    names.Add("Nd");
                    i++;
                }
                else if (body[i + 1] is 'p' or 'P' && Category(body, i) is (string name, int end))
                {
                    names.Add(name);
                    rewritable &= Categories.ContainsKey(name);
                    i = end - 1;
                }
                else
                {
                    i++;
                }
            }
        }
        if (names.Count == 0)
            return @class;
        if (!rewritable)
            return null;
        string astral = AstralOf(names);
        // The surrogates go first in the negated class: after the body, a body ending in '-' would make a range of them.
        return negated
            ? $"(?:[^\\uD800-\\uDFFF{(body.StartsWith(']') ? "\\" + body : body)}]|(?!{astral}){SurrogatePair})"
            : $"(?:{@class}|{astral})";
    }

    /// <summary>The end (exclusive) of the class starting at <paramref name="start"/>, or -1.</summary>
    private static int ClassEnd(string pattern, int start)
    {
        int i = start + 1;
        if (i < pattern.Length && pattern[i] == '^')
            i++;
        if (i < pattern.Length && pattern[i] == ']')
            i++; // a ']' first is a literal
        int depth = 1;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
                i++;
            else if (pattern[i] == '[')
                depth++;
            else if (pattern[i] == ']' && --depth == 0)
                return i + 1;
        }
        return -1;
    }

    /// <summary>The name of the <c>\p{name}</c> at <paramref name="at"/> and the end of it.</summary>
    private static (string Name, int End)? Category(string pattern, int at)
    {
        if (at + 2 >= pattern.Length || pattern[at + 2] != '{')
            return null;
        int close = pattern.IndexOf('}', at + 3);
        return close < 0 ? null : (pattern[(at + 3)..close], close + 1);
    }

    /// <summary>An alternation of the surrogate pairs of the astral code points in any of the categories.</summary>
    private static string AstralOf(IEnumerable<string> names)
    {
        string[] sorted = [.. names.Distinct().Order(StringComparer.Ordinal)];
        return AstralPairs.GetOrAdd(string.Join(',', sorted), _ =>
        {
            var categories = sorted.SelectMany(name => Categories[name]).ToHashSet();
            var alternatives = new List<string>();
            for (int high = 0xD800; high <= 0xDBFF; high++)
            {
                var ranges = new StringBuilder();
                int? first = null;
                for (int low = 0xDC00; low <= 0xE000; low++)
                {
                    bool member = low <= 0xDFFF && categories.Contains(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32((char)high, (char)low)));
                    if (member)
                        first ??= low;
                    else if (first is int start)
                    {
                        ranges.Append(start == low - 1 ? $"\\u{start:X4}" : $"\\u{start:X4}-\\u{low - 1:X4}");
                        first = null;
                    }
                }
                if (ranges.Length > 0)
                    alternatives.Add($"\\u{high:X4}[{ranges}]");
            }
            return alternatives.Count == 0 ? "(?!)" : $"(?:{string.Join('|', alternatives)})";
        });
    }

    private static Dictionary<string, UnicodeCategory[]> BuildCategories()
    {
        var byName = new Dictionary<string, UnicodeCategory[]>(StringComparer.Ordinal)
        {
            ["Lu"] = [UnicodeCategory.UppercaseLetter], ["Ll"] = [UnicodeCategory.LowercaseLetter],
            ["Lt"] = [UnicodeCategory.TitlecaseLetter], ["Lm"] = [UnicodeCategory.ModifierLetter], ["Lo"] = [UnicodeCategory.OtherLetter],
            ["Mn"] = [UnicodeCategory.NonSpacingMark], ["Mc"] = [UnicodeCategory.SpacingCombiningMark], ["Me"] = [UnicodeCategory.EnclosingMark],
            ["Nd"] = [UnicodeCategory.DecimalDigitNumber], ["Nl"] = [UnicodeCategory.LetterNumber], ["No"] = [UnicodeCategory.OtherNumber],
            ["Pc"] = [UnicodeCategory.ConnectorPunctuation], ["Pd"] = [UnicodeCategory.DashPunctuation],
            ["Ps"] = [UnicodeCategory.OpenPunctuation], ["Pe"] = [UnicodeCategory.ClosePunctuation],
            ["Pi"] = [UnicodeCategory.InitialQuotePunctuation], ["Pf"] = [UnicodeCategory.FinalQuotePunctuation],
            ["Po"] = [UnicodeCategory.OtherPunctuation],
            ["Sm"] = [UnicodeCategory.MathSymbol], ["Sc"] = [UnicodeCategory.CurrencySymbol], ["Sk"] = [UnicodeCategory.ModifierSymbol],
            ["So"] = [UnicodeCategory.OtherSymbol],
            ["Zs"] = [UnicodeCategory.SpaceSeparator], ["Zl"] = [UnicodeCategory.LineSeparator], ["Zp"] = [UnicodeCategory.ParagraphSeparator],
            ["Cc"] = [UnicodeCategory.Control], ["Cf"] = [UnicodeCategory.Format], ["Co"] = [UnicodeCategory.PrivateUse],
            ["Cn"] = [UnicodeCategory.OtherNotAssigned],
        };
        foreach (char group in "LMNPSZC")
            byName[group.ToString()] = [.. byName.Where(entry => entry.Key.Length == 2 && entry.Key[0] == group).SelectMany(entry => entry.Value)];
        return byName;
    }
}
