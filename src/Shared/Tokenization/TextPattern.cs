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
    public abstract List<PatternMatch> FindMatches(string text);

    /// <summary>An exact string (an empty one matches nothing).</summary>
    public static TextPattern Literal(string value) => new LiteralPattern(value);

    public static TextPattern FromRegex(Regex regex) => new RegexPattern(regex);

    /// <summary>Every character that <paramref name="isMatch"/> accepts, one match each.</summary>
    public static TextPattern Characters(Func<Rune, bool> isMatch) => new CharacterPattern(isMatch);

    /// <summary>The same parts with IsMatch flipped (tokenizers' <c>Invert</c>).</summary>
    public TextPattern Inverted() => new InvertedPattern(this);

    private sealed class RegexPattern(Regex? regex) : TextPattern
    {
        public override List<PatternMatch> FindMatches(string text)
        {
            if (regex is null || text.Length == 0)
                return [new PatternMatch(0, text.Length, false)];
            var matches = new List<PatternMatch>();
            int previous = 0;
            foreach (ValueMatch match in regex.EnumerateMatches(text))
            {
                if (match.Length == 0)
                    continue; // an empty match splits nothing (find_iter's empty matches add no part with content)
                if (previous != match.Index)
                    matches.Add(new PatternMatch(previous, match.Index, false));
                matches.Add(new PatternMatch(match.Index, match.Index + match.Length, true));
                previous = match.Index + match.Length;
            }
            if (previous != text.Length)
                matches.Add(new PatternMatch(previous, text.Length, false));
            return matches;
        }
    }

    private sealed class CharacterPattern(Func<Rune, bool> isMatch) : TextPattern
    {
        public override List<PatternMatch> FindMatches(string text)
        {
            if (text.Length == 0)
                return [new PatternMatch(0, 0, false)];
            var matches = new List<PatternMatch>();
            int last = 0;
            for (int i = 0; i < text.Length;)
            {
                Rune rune = Rune.TryGetRuneAt(text, i, out Rune decoded) ? decoded : Rune.ReplacementChar;
                int width = Rune.TryGetRuneAt(text, i, out _) ? decoded.Utf16SequenceLength : 1;
                if (isMatch(rune))
                {
                    if (last < i)
                        matches.Add(new PatternMatch(last, i, false));
                    matches.Add(new PatternMatch(i, i + width, true));
                    last = i + width;
                }
                i += width;
            }
            if (last < text.Length)
                matches.Add(new PatternMatch(last, text.Length, false));
            return matches;
        }
    }

    private sealed class InvertedPattern(TextPattern inner) : TextPattern
    {
        public override List<PatternMatch> FindMatches(string text)
        {
            List<PatternMatch> matches = inner.FindMatches(text);
            for (int i = 0; i < matches.Count; i++)
                matches[i] = matches[i] with { IsMatch = !matches[i].IsMatch };
            return matches;
        }
    }

    /// <summary>The occurrences of a string, left to right, none overlapping (what the escaped string as a regex finds).</summary>
    private sealed class LiteralPattern(string value) : TextPattern
    {
        public override List<PatternMatch> FindMatches(string text)
        {
            if (value.Length == 0 || text.Length == 0)
                return [new PatternMatch(0, text.Length, false)];
            var matches = new List<PatternMatch>();
            int previous = 0;
            for (int found = text.IndexOf(value, StringComparison.Ordinal); found >= 0;
                 found = text.IndexOf(value, previous, StringComparison.Ordinal))
            {
                if (previous != found)
                    matches.Add(new PatternMatch(previous, found, false));
                matches.Add(new PatternMatch(found, found + value.Length, true));
                previous = found + value.Length;
            }
            if (previous != text.Length)
                matches.Add(new PatternMatch(previous, text.Length, false));
            return matches;
        }
    }
}
