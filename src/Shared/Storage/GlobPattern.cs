using System.Text;
using System.Text.RegularExpressions;

namespace ModernBert.Storage;

/// <summary>
/// A '/'-separated key pattern: <c>*</c> matches within one segment, <c>?</c> one character other than '/',
/// <c>**</c> any number of whole segments (<c>data/**/*.jsonl</c> matches <c>data/a.jsonl</c> and <c>data/x/y/a.jsonl</c>).
/// Matching is ordinal and case-sensitive, like object keys.
/// </summary>
public sealed class GlobPattern
{
    private static readonly char[] Wildcards = ['*', '?'];
    private readonly Regex _regex;

    public GlobPattern(string pattern)
    {
        Pattern = pattern;
        int firstWildcard = pattern.IndexOfAny(Wildcards);
        StaticPrefix = firstWildcard < 0 ? pattern : pattern[..firstWildcard];
        _regex = new Regex(ToRegex(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    /// <summary>The text before the first wildcard: every matching key starts with it, so listing can start there.</summary>
    public string StaticPrefix { get; }

    public bool IsMatch(string key) => _regex.IsMatch(key);

    public override string ToString() => Pattern;

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            bool segmentStart = i == 0 || pattern[i - 1] == '/';
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                bool segmentEnd = i + 2 == pattern.Length || pattern[i + 2] == '/';
                if (segmentStart && i + 2 < pattern.Length && segmentEnd)
                {
                    regex.Append("(?:[^/]*/)*"); // "**/": zero or more whole segments
                    i += 2;
                }
                else
                {
                    regex.Append(".*");
                    i++;
                }
            }
            else if (c == '*')
                regex.Append("[^/]*");
            else if (c == '?')
                regex.Append("[^/]");
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return regex.Append('$').ToString();
    }
}
