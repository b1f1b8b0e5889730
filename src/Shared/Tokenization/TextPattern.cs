using System.Text;
using System.Text.RegularExpressions;

namespace ModernBert.Tokenization;

/// <summary>A part of a text: a match of a pattern or the text between matches, in UTF-16 units [Start, End).</summary>
internal readonly record struct PatternMatch(int Start, int End, bool IsMatch);

/// <summary>What a split does with the matches of its pattern (tokenizers' <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>
/// Hugging Face's <c>Pattern::find_matches</c> (tokenizers/src/tokenizer/pattern.rs): the matches of a string, a
/// regex or a character class in a text, with the text between them, covering the whole text in order.
/// </summary>
internal abstract class TextPattern
{
    /// <summary>A list kept for the thread's next <see cref="FindMatches"/>, dropped when it has grown this large.</summary>
    private const int MaxRetainedMatches = 1 << 16;

    [ThreadStatic]
    private static List<PatternMatch>? t_matches;

    /// <summary>
    /// The parts of <paramref name="text"/>, in a list of this thread's that the next call on the thread reuses:
    /// read it before finding matches again.
    /// </summary>
    public List<PatternMatch> FindMatches(string text)
    {
        List<PatternMatch> matches = t_matches is { Capacity: <= MaxRetainedMatches } kept ? kept : t_matches = [];
        matches.Clear();
        if (text.Length == 0)
            matches.Add(new PatternMatch(0, 0, false));
        else
            AddMatches(text, matches);
        return matches;
    }

    /// <summary>Adds the parts of a non-empty text to <paramref name="matches"/>.</summary>
    protected abstract void AddMatches(string text, List<PatternMatch> matches);

    /// <summary>An exact string (an empty one matches nothing).</summary>
    public static TextPattern Literal(string value) => new LiteralPattern(value);

    /// <summary>
    /// A .NET regex whose Unicode categories match texts with characters beyond the BMP by code point, as Hugging
    /// Face's do (<see cref="CodePointRegex"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not a .NET regex.</exception>
    public static TextPattern FromRegex(string pattern, RegexOptions options) =>
        new RegexPattern(new Regex(pattern, options), CodePointRegex.ForAstralTexts(pattern, options));

    /// <summary>Every character that <paramref name="isMatch"/> accepts, one match each.</summary>
    public static TextPattern Characters(Func<Rune, bool> isMatch) => new CharacterPattern(isMatch);

    /// <summary>The same parts with IsMatch flipped (tokenizers' <c>Invert</c>).</summary>
    public TextPattern Inverted() => new InvertedPattern(this);

    /// <summary>Adds the text between the last part and a match at [<paramref name="start"/>, <paramref name="end"/>), then the match.</summary>
    private static void AddMatch(List<PatternMatch> matches, ref int previous, int start, int end)
    {
        if (previous != start)
            matches.Add(new PatternMatch(previous, start, false));
        matches.Add(new PatternMatch(start, end, true));
        previous = end;
    }

    /// <summary>Adds the text after the last match, if any.</summary>
    private static void AddRest(List<PatternMatch> matches, int previous, int length)
    {
        if (previous != length)
            matches.Add(new PatternMatch(previous, length, false));
    }

    /// <param name="astral">The regex for texts holding surrogates; null: <paramref name="regex"/> matches them as Hugging Face does.</param>
    private sealed class RegexPattern(Regex regex, Lazy<Regex?> astral) : TextPattern
    {
        protected override void AddMatches(string text, List<PatternMatch> matches)
        {
            int previous = 0;
            foreach (ValueMatch match in CodePointRegex.For(text, regex, astral).EnumerateMatches(text))
            {
                // An empty match is a part too (pattern.rs pushes it as find_iter gives it), so that \b splits "a b" into
                // "a", " " and "b"; .NET tries one after each UTF-16 unit, and one between a surrogate pair's halves
                // falls inside a character, where Oniguruma (over UTF-8) never looks.
                if (match.Length > 0 || !IsInsidePair(text, match.Index))
                    AddMatch(matches, ref previous, match.Index, match.Index + match.Length);
            }
            AddRest(matches, previous, text.Length);
        }
    }

    private static bool IsInsidePair(string text, int index) =>
        index > 0 && index < text.Length && char.IsHighSurrogate(text[index - 1]) && char.IsLowSurrogate(text[index]);

    private sealed class CharacterPattern(Func<Rune, bool> isMatch) : TextPattern
    {
        /// <summary>Which ASCII characters match, asked once rather than per character.</summary>
        private readonly bool[] _asciiMatches = [.. Enumerable.Range(0, 128).Select(c => isMatch(new Rune(c)))];

        protected override void AddMatches(string text, List<PatternMatch> matches)
        {
            int previous = 0;
            for (int i = 0; i < text.Length;)
            {
                if (text[i] < 128)
                {
                    if (_asciiMatches[text[i]])
                        AddMatch(matches, ref previous, i, i + 1);
                    i++;
                    continue;
                }
                bool valid = Rune.TryGetRuneAt(text, i, out Rune rune);
                int width = valid ? rune.Utf16SequenceLength : 1;
                if (isMatch(valid ? rune : Rune.ReplacementChar))
                    AddMatch(matches, ref previous, i, i + width);
                i += width;
            }
            AddRest(matches, previous, text.Length);
        }
    }

    private sealed class InvertedPattern(TextPattern inner) : TextPattern
    {
        protected override void AddMatches(string text, List<PatternMatch> matches)
        {
            inner.AddMatches(text, matches);
            for (int i = 0; i < matches.Count; i++)
                matches[i] = matches[i] with { IsMatch = !matches[i].IsMatch };
        }
    }

    /// <summary>The occurrences of a string, left to right, none overlapping (what the escaped string as a regex finds).</summary>
    private sealed class LiteralPattern(string value) : TextPattern
    {
        protected override void AddMatches(string text, List<PatternMatch> matches)
        {
            int previous = 0;
            if (value.Length > 0)
            {
                for (int found = text.IndexOf(value, StringComparison.Ordinal); found >= 0;
                     found = text.IndexOf(value, previous, StringComparison.Ordinal))
                    AddMatch(matches, ref previous, found, found + value.Length);
            }
            AddRest(matches, previous, text.Length);
        }
    }
}
