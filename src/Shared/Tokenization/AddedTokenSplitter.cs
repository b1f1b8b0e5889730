using System.Buffers;
using System.Globalization;
using System.Text;

namespace ModernBert.Tokenization;

/// <summary>
/// Cuts added tokens out of a text the way Hugging Face <c>tokenizers</c> (AddedVocabulary.find_matches) does:
/// leftmost-longest, non-overlapping matches of the patterns, then the single_word, lstrip and rstrip options of
/// the matched token. Written here because Microsoft.ML.Tokenizers splits special tokens with a plain regex
/// alternation, with no lstrip/rstrip/single_word and no separate raw and normalized passes.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private const int Root = 0;

    /// <summary>Trie edges: (node &lt;&lt; 16 | character) to the next node.</summary>
    private readonly Dictionary<long, int> _edges = [];

    /// <summary>The token that ends at each trie node, if any.</summary>
    private readonly List<AddedToken?> _tokenEndingAt = [null];

    private readonly SearchValues<char> _firstCharacters;

    /// <param name="patterns">Each token with the string to find for it (its content, normalized when the token is).</param>
    public AddedTokenSplitter(IEnumerable<(string Pattern, AddedToken Token)> patterns)
    {
        var firstCharacters = new HashSet<char>();
        foreach ((string pattern, AddedToken token) in patterns)
        {
            if (pattern.Length == 0)
                continue; // tokenizers ignores empty added tokens
            int node = Root;
            foreach (char c in pattern)
            {
                long edge = EdgeKey(node, c);
                if (!_edges.TryGetValue(edge, out int next))
                {
                    next = _tokenEndingAt.Count;
                    _tokenEndingAt.Add(null);
                    _edges.Add(edge, next);
                }
                node = next;
            }
            // Two tokens can have one pattern when the normalizer makes them equal ("Zorblax" and "zorblax" under
            // Lowercase). Which one tokenizers 0.23 matches then changes from process to process (it builds its trie
            // from a hash map: refresh_added_tokens in added_vocabulary.rs); here the first in tokenizer.json's order.
            _tokenEndingAt[node] ??= token;
            firstCharacters.Add(pattern[0]);
        }
        _firstCharacters = SearchValues.Create([.. firstCharacters]);
    }

    /// <summary>The segments of <paramref name="text"/>, in order: added tokens and the text between them.</summary>
    public SegmentEnumerator Split(ReadOnlySpan<char> text) => new(this, text);

    private bool TryFindNext(ReadOnlySpan<char> text, int from, out int start, out int length, out AddedToken token)
    {
        int position = from;
        while (position < text.Length)
        {
            int offset = text[position..].IndexOfAny(_firstCharacters);
            if (offset < 0)
                break;
            start = position + offset;
            if (TryMatchLongestAt(text, start, out length, out token))
                return true;
            position = start + 1;
        }
        start = length = 0;
        token = null!;
        return false;
    }

    private bool TryMatchLongestAt(ReadOnlySpan<char> text, int start, out int length, out AddedToken token)
    {
        length = 0;
        token = null!;
        int node = Root;
        for (int i = start; i < text.Length && _edges.TryGetValue(EdgeKey(node, text[i]), out node); i++)
        {
            if (_tokenEndingAt[node] is { } ending)
            {
                token = ending;
                length = i + 1 - start;
            }
        }
        return length > 0;
    }

    private static long EdgeKey(int node, char c) => ((long)node << 16) | c;

    /// <summary>Allocation-free enumeration of the segments of one text (see <see cref="Split"/>).</summary>
    internal ref struct SegmentEnumerator
    {
        private readonly AddedTokenSplitter _splitter;
        private readonly ReadOnlySpan<char> _text;
        private int _scanPosition;
        private int _segmentStart;
        private TextSegment? _pending;

        internal SegmentEnumerator(AddedTokenSplitter splitter, ReadOnlySpan<char> text)
        {
            _splitter = splitter;
            _text = text;
        }

        public TextSegment Current { get; private set; }

        public readonly SegmentEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_pending is { } pending)
            {
                Current = pending;
                _pending = null;
                return true;
            }
            while (_splitter.TryFindNext(_text, _scanPosition, out int start, out int length, out AddedToken token))
            {
                int stop = start + length;
                _scanPosition = stop;
                if (token.SingleWord && (EndsWithWordCharacter(_text[..start]) || StartsWithWordCharacter(_text[stop..])))
                    continue;
                if (token.LeftStrip)
                    start = Math.Max(_text[..start].TrimEnd().Length, _segmentStart);
                if (token.RightStrip)
                    stop = _text.Length - _text[stop..].TrimStart().Length;

                var tokenSegment = new TextSegment(start, stop - start, token.Id);
                int textStart = _segmentStart;
                _segmentStart = stop;
                if (textStart < start)
                {
                    Current = new TextSegment(textStart, start - textStart, TextSegment.NoToken);
                    _pending = tokenSegment;
                }
                else
                {
                    Current = tokenSegment;
                }
                return true;
            }
            _scanPosition = _text.Length;
            if (_segmentStart < _text.Length)
            {
                Current = new TextSegment(_segmentStart, _text.Length - _segmentStart, TextSegment.NoToken);
                _segmentStart = _text.Length;
                return true;
            }
            return false;
        }

        private static bool EndsWithWordCharacter(ReadOnlySpan<char> text)
            => Rune.DecodeLastFromUtf16(text, out Rune rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

        private static bool StartsWithWordCharacter(ReadOnlySpan<char> text)
            => Rune.DecodeFromUtf16(text, out Rune rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

        /// <summary>
        /// Rust's Unicode <c>\w</c> (Alphabetic, marks, decimal digits, connector punctuation, joiners), by category;
        /// the few Other_Alphabetic symbols (e.g. circled letters) are not word characters here.
        /// </summary>
        private static bool IsWordCharacter(Rune rune) => Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.ConnectorPunctuation => true,
            _ => rune.Value is 0x200C or 0x200D,
        };
    }
}

/// <summary>A piece of a text: an added token (<see cref="TokenId"/> &gt;= 0) or text between added tokens.</summary>
internal readonly record struct TextSegment(int Start, int Length, int TokenId)
{
    public const int NoToken = -1;

    public bool IsAddedToken => TokenId != NoToken;
}
