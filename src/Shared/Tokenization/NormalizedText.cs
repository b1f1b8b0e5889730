using System.Buffers;
using System.Text;

namespace ModernBert.Tokenization;

/// <summary>
/// A text on its way through normalization and pre-tokenization, with the span in the original string of each of
/// its UTF-16 units: Hugging Face's <c>NormalizedString</c> (tokenizers/src/tokenizer/normalizer.rs), whose alignments
/// are per byte of UTF-8, kept here per UTF-16 unit. Both units of a surrogate pair hold the span of their character.
/// </summary>
internal sealed class NormalizedText
{
    /// <summary>The spans <see cref="Split"/> cuts, kept for the thread's next split.</summary>
    [ThreadStatic]
    private static List<(int Start, int End, bool Remove)>? t_spans;

    // Spans of the units, shared with slices (the arrays are never changed, only replaced): unit i's are at _first + i.
    private int[] _startArray;
    private int[] _endArray;
    private int _first;

    private NormalizedText(string text, int[] starts, int[] ends, int first, int originalStart)
    {
        Text = text;
        _startArray = starts;
        _endArray = ends;
        _first = first;
        OriginalStart = originalStart;
    }

    /// <summary>
    /// Where this text starts in the original string: the start of the segment it was cut from, or of its first
    /// character for a piece split off (tokenizers' <c>offsets_original().0</c>, which Metaspace's "first" reads).
    /// </summary>
    public int OriginalStart { get; private set; }

    /// <summary>The text as normalized so far.</summary>
    public string Text { get; private set; }

    public int Length => Text.Length;

    /// <summary>
    /// <paramref name="text"/>, unchanged, each character spanning itself; <paramref name="originalStart"/> is where
    /// the text starts in the original string (so that spans are in the original string's units).
    /// </summary>
    public static NormalizedText FromOriginal(ReadOnlySpan<char> text, int originalStart)
    {
        var starts = new int[text.Length];
        var ends = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            for (int j = 0; j < width; j++)
            {
                starts[i + j] = originalStart + i;
                ends[i + j] = originalStart + i + width;
            }
            i += width - 1;
        }
        return new NormalizedText(text.ToString(), starts, ends, 0, originalStart);
    }

    /// <summary>The span in the original string of the normalized units [start, end) (normalizer.rs convert_offsets).</summary>
    public TokenOffset OriginalSpan(int start, int end)
    {
        if (start >= end)
        {
            int at = start < Starts.Length ? Starts[start] : Ends.Length > 0 ? Ends[^1] : 0;
            return new TokenOffset(at, at);
        }
        return new TokenOffset(Starts[start], Ends[end - 1]);
    }

    /// <summary>The original span of the unit at <paramref name="index"/>.</summary>
    public TokenOffset UnitSpan(int index) => new(Starts[index], Ends[index]);

    /// <summary>The units [start, end) as a text of their own, keeping their original spans.</summary>
    public NormalizedText Slice(int start, int end)
        => new(Text[start..end], _startArray, _endArray, _first + start, start < end ? Starts[start] : OriginalStart);

    /// <summary>
    /// The pieces of this text at the matches of a pattern (<see cref="TextPattern"/>), as tokenizers' <c>split</c>
    /// with <paramref name="behavior"/> does; empty pieces are left out (as <c>PreTokenizedString.split</c> does).
    /// </summary>
    public void Split(IReadOnlyList<PatternMatch> matches, SplitBehavior behavior, List<NormalizedText> pieces)
    {
        List<(int Start, int End, bool Remove)> spans = t_spans ??= [];
        spans.Clear();
        bool previousMatch = false;
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (PatternMatch match in matches)
                    spans.Add((match.Start, match.End, false));
                break;
            case SplitBehavior.Removed:
                foreach (PatternMatch match in matches)
                    spans.Add((match.Start, match.End, match.IsMatch));
                break;
            case SplitBehavior.Contiguous:
                foreach (PatternMatch match in matches)
                {
                    if (match.IsMatch == previousMatch && spans.Count > 0)
                        spans[^1] = (spans[^1].Start, match.End, false);
                    else
                        spans.Add((match.Start, match.End, false));
                    previousMatch = match.IsMatch;
                }
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (PatternMatch match in matches)
                {
                    if (match.IsMatch && !previousMatch && spans.Count > 0)
                        spans[^1] = (spans[^1].Start, match.End, false);
                    else
                        spans.Add((match.Start, match.End, false));
                    previousMatch = match.IsMatch;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (int i = matches.Count - 1; i >= 0; i--)
                {
                    PatternMatch match = matches[i];
                    if (match.IsMatch && !previousMatch && spans.Count > 0)
                        spans[^1] = (match.Start, spans[^1].End, false);
                    else
                        spans.Add((match.Start, match.End, false));
                    previousMatch = match.IsMatch;
                }
                spans.Reverse();
                break;
        }
        if (spans is [(0, var whole, false)] && whole == Text.Length && whole > 0)
        {
            // The whole text is one piece: this text, as a slice of all of it would be.
            OriginalStart = Starts[0];
            pieces.Add(this);
            return;
        }
        foreach ((int start, int end, bool remove) in spans)
        {
            if (!remove && end > start)
                pieces.Add(Slice(start, end));
        }
    }

    /// <summary>Puts <paramref name="prefix"/> before the text, spanning the first character (tokenizers' <c>prepend</c>).</summary>
    public void Prepend(string prefix)
    {
        if (Text.Length == 0 || prefix.Length == 0)
            return;
        // What transform gives for the prefix's characters inserted before the first one: every unit of the prefix
        // takes the first character's span, the text keeps its own.
        SetSpans(Prepended(Starts, prefix.Length), Prepended(Ends, prefix.Length));
        Text = string.Concat(prefix, Text);

        static int[] Prepended(ReadOnlySpan<int> spans, int count)
        {
            var result = new int[count + spans.Length];
            result.AsSpan(0, count).Fill(spans[0]);
            spans.CopyTo(result.AsSpan(count));
            return result;
        }
    }

    /// <summary>
    /// Replaces each match by <paramref name="content"/>, whose characters span the last character of the match
    /// (tokenizers' <c>replace</c>); an empty content removes the match.
    /// </summary>
    public void Replace(IReadOnlyList<PatternMatch> matches, string content)
    {
        if (content.Length == 1 && ReplaceUnits(matches, content[0]))
            return;
        int length = 0;
        foreach (PatternMatch match in matches)
            length += !match.IsMatch || match.End == match.Start ? match.End - match.Start : content.Length;
        char[] text = new char[length];
        int[] starts = new int[length];
        int[] ends = new int[length];
        int at = 0;
        foreach (PatternMatch match in matches)
        {
            if (!match.IsMatch || match.End == match.Start)
            {
                int count = match.End - match.Start;
                Text.AsSpan(match.Start, count).CopyTo(text.AsSpan(at));
                Starts.Slice(match.Start, count).CopyTo(starts.AsSpan(at));
                Ends.Slice(match.Start, count).CopyTo(ends.AsSpan(at));
                at += count;
                continue;
            }
            content.CopyTo(text.AsSpan(at));
            starts.AsSpan(at, content.Length).Fill(Starts[match.End - 1]);
            ends.AsSpan(at, content.Length).Fill(Ends[match.End - 1]);
            at += content.Length;
        }
        Text = new string(text);
        SetSpans(starts, ends);
    }

    /// <summary>Removes leading and/or trailing whitespace (Unicode White_Space, as Rust's <c>char::is_whitespace</c>).</summary>
    public void Strip(bool left, bool right)
    {
        int start = 0;
        int end = Text.Length;
        if (left)
        {
            while (start < end && char.IsWhiteSpace(Text[start]))
                start++;
        }
        if (right)
        {
            while (end > start && char.IsWhiteSpace(Text[end - 1]))
                end--;
        }
        if (start == 0 && end == Text.Length)
            return;
        Text = Text[start..end];
        _first += start;
    }

    /// <summary>The ASCII characters <paramref name="predicate"/> accepts, for <see cref="Filter"/> and <see cref="Map"/>.</summary>
    public static SearchValues<char> AsciiWhere(Func<Rune, bool> predicate)
        => SearchValues.Create([.. Enumerable.Range(0, 128).Select(c => (char)c).Where(c => predicate(new Rune(c)))]);

    /// <summary>
    /// Keeps the characters <paramref name="keep"/> accepts, each with its span (tokenizers' <c>filter</c>);
    /// <paramref name="keptAscii"/>, the ASCII characters it accepts (<see cref="AsciiWhere"/>), are passed over
    /// without asking it.
    /// </summary>
    public void Filter(Func<Rune, bool> keep, SearchValues<char> keptAscii)
    {
        int first = NextCandidate(0, keptAscii);
        while (first < Text.Length && Rune.TryGetRuneAt(Text, first, out Rune rune) && keep(rune))
            first = NextCandidate(first + rune.Utf16SequenceLength, keptAscii);
        if (first == Text.Length)
            return;
        var text = new StringBuilder(Text.Length);
        var starts = new List<int>(Text.Length);
        var ends = new List<int>(Text.Length);
        text.Append(Text, 0, first);
        starts.AddRange(Starts.Slice(0, first));
        ends.AddRange(Ends.Slice(0, first));
        for (int i = first; i < Text.Length;)
        {
            int width = CharLength(i);
            if (!Rune.TryGetRuneAt(Text, i, out Rune rune) || keep(rune))
            {
                text.Append(Text, i, width);
                starts.AddRange(Starts.Slice(i, width));
                ends.AddRange(Ends.Slice(i, width));
            }
            i += width;
        }
        Text = text.ToString();
        SetSpans([.. starts], [.. ends]);
    }

    /// <summary>
    /// Replaces each character by the one <paramref name="map"/> gives (tokenizers' <c>map</c>): spans are kept, and
    /// nothing is rebuilt where no character changes; <paramref name="unchangedAscii"/>, the ASCII characters it
    /// leaves as they are (<see cref="AsciiWhere"/>), are passed over without asking it.
    /// </summary>
    public void Map(Func<Rune, Rune> map, SearchValues<char> unchangedAscii)
    {
        char[]? mapped = null;
        for (int i = NextCandidate(0, unchangedAscii); i < Text.Length; i = NextCandidate(i, unchangedAscii))
        {
            bool valid = Rune.TryGetRuneAt(Text, i, out Rune rune);
            int width = valid ? rune.Utf16SequenceLength : 1;
            Rune result = map(valid ? rune : Rune.ReplacementChar);
            if (!valid || result != rune)
            {
                if (result.Utf16SequenceLength != width)
                {
                    MapToMany(character => [map(character)]);
                    return;
                }
                mapped ??= Text.ToCharArray();
                result.EncodeToUtf16(mapped.AsSpan(i));
            }
            i += width;
        }
        if (mapped is not null)
            Text = new string(mapped);
    }

    /// <summary>
    /// Replaces the text by <paramref name="units"/>, each unit taking the span of the unit of the old text that
    /// <paramref name="sourceUnits"/> names (both units of a character hold its span, so either may be named).
    /// </summary>
    public void Rebuild(ReadOnlySpan<char> units, ReadOnlySpan<int> sourceUnits)
    {
        var starts = new int[units.Length];
        var ends = new int[units.Length];
        for (int i = 0; i < units.Length; i++)
        {
            starts[i] = Starts[sourceUnits[i]];
            ends[i] = Ends[sourceUnits[i]];
        }
        Text = units.ToString();
        SetSpans(starts, ends);
    }

    /// <summary>Replaces the text by <paramref name="units"/> of the same length, each unit keeping its span.</summary>
    public void ReplaceSameLength(string units)
    {
        if (units.Length != Text.Length)
            throw new ArgumentException("The new text must have as many units as the old one.", nameof(units));
        Text = units;
    }

    /// <summary>Replaces the text by <paramref name="map"/>'s characters; several for one are inserted after the first.</summary> (the first replaces it, the others are inserted).</summary>
    public void MapToMany(Func<Rune, IEnumerable<Rune>> map)
    {
        var changes = new List<(Rune Rune, int Change)>(Text.Length);
        foreach (Rune rune in Runes())
        {
            bool first = true;
            foreach (Rune mapped in map(rune))
            {
                changes.Add((mapped, first ? 0 : 1));
                first = false;
            }
            if (first)
                changes.Add((rune, 0)); // a mapping to nothing keeps the character (not used by any normalizer)
        }
        Transform(changes, 0);
    }

    /// <summary>The characters of the text (an unpaired surrogate as U+FFFD, as tokenizers receives it).</summary>
    public IEnumerable<Rune> Runes()
    {
        for (int i = 0; i < Text.Length; i += CharLength(i))
            yield return Rune.TryGetRuneAt(Text, i, out Rune rune) ? rune : Rune.ReplacementChar;
    }

    /// <summary>
    /// Replaces the whole text by <paramref name="changes"/>, Hugging Face's <c>transform</c>: each new character
    /// says how it relates to the old ones. 0: it replaces the next old character (and takes its span); a positive
    /// number: it is inserted (and takes the span of the old character before it); -n: it replaces the next old
    /// character and the n after it are removed. <paramref name="initialOffset"/> old characters are removed first.
    /// </summary>
    public void Transform(IReadOnlyList<(Rune Rune, int Change)> changes, int initialOffset)
    {
        int units = 0;
        foreach ((Rune rune, _) in changes)
            units += rune.Utf16SequenceLength;
        char[] text = new char[units];
        int[] starts = new int[units];
        int[] ends = new int[units];
        int offset = 0;
        for (int i = 0; i < initialOffset; i++)
            offset += CharLength(offset);
        int at = 0;
        foreach ((Rune rune, int change) in changes)
        {
            int start, end;
            if (change > 0)
            {
                (start, end) = offset < 1 ? (0, 0) : (Starts[offset - 1], Ends[offset - 1]);
            }
            else
            {
                (start, end) = (Starts[offset], Ends[offset]);
                offset += CharLength(offset);
                for (int removed = 0; removed < -change; removed++)
                    offset += CharLength(offset);
            }
            int length = rune.EncodeToUtf16(text.AsSpan(at));
            starts.AsSpan(at, length).Fill(start);
            ends.AsSpan(at, length).Fill(end);
            at += length;
        }
        Text = new string(text);
        SetSpans(starts, ends);
    }

    /// <summary>
    /// <see cref="Replace"/> where every match is one unit and the content is one unit: each unit keeps its span,
    /// as replace gives the content the span of the match's last unit. False, changing nothing, otherwise.
    /// </summary>
    private bool ReplaceUnits(IReadOnlyList<PatternMatch> matches, char content)
    {
        char[]? units = null;
        foreach (PatternMatch match in matches)
        {
            if (!match.IsMatch || match.End == match.Start)
                continue;
            if (match.End - match.Start != 1)
                return false;
            units ??= Text.ToCharArray();
            units[match.Start] = content;
        }
        if (units is not null)
            Text = new string(units);
        return true;
    }

    /// <summary>The original start of each unit.</summary>
    private ReadOnlySpan<int> Starts => _startArray.AsSpan(_first, Text.Length);

    /// <summary>The original end of each unit.</summary>
    private ReadOnlySpan<int> Ends => _endArray.AsSpan(_first, Text.Length);

    private void SetSpans(int[] starts, int[] ends)
    {
        _startArray = starts;
        _endArray = ends;
        _first = 0;
    }

    /// <summary>The index of the first unit from <paramref name="start"/> on that is not in <paramref name="passedOver"/>, or the length.</summary>
    private int NextCandidate(int start, SearchValues<char> passedOver)
    {
        int found = Text.AsSpan(start).IndexOfAnyExcept(passedOver);
        return found < 0 ? Text.Length : start + found;
    }

    /// <summary>The UTF-16 length of the character at <paramref name="index"/> (1 for an unpaired surrogate).</summary>
    private int CharLength(int index)
        => char.IsHighSurrogate(Text[index]) && index + 1 < Text.Length && char.IsLowSurrogate(Text[index + 1]) ? 2 : 1;
}
