using System.Text;

namespace ModernBert.Tokenization;

/// <summary>
/// A text on its way through normalization and pre-tokenization, with the span in the original string of each of
/// its UTF-16 units: Hugging Face's <c>NormalizedString</c> (tokenizers/src/tokenizer/normalizer.rs), whose alignments
/// are per byte of UTF-8, kept here per UTF-16 unit. Both units of a surrogate pair hold the span of their character.
/// </summary>
internal sealed class NormalizedText
{
    private int[] _starts;
    private int[] _ends;

    private NormalizedText(string text, int[] starts, int[] ends)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
    }

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
        return new NormalizedText(text.ToString(), starts, ends);
    }

    /// <summary>The span in the original string of the normalized units [start, end) (normalizer.rs convert_offsets).</summary>
    public TokenOffset OriginalSpan(int start, int end)
    {
        if (start >= end)
        {
            int at = start < _starts.Length ? _starts[start] : _ends.Length > 0 ? _ends[^1] : 0;
            return new TokenOffset(at, at);
        }
        return new TokenOffset(_starts[start], _ends[end - 1]);
    }

    /// <summary>The original span of the unit at <paramref name="index"/>.</summary>
    public TokenOffset UnitSpan(int index) => new(_starts[index], _ends[index]);

    /// <summary>The units [start, end) as a text of their own, keeping their original spans.</summary>
    public NormalizedText Slice(int start, int end)
        => new(Text[start..end], _starts[start..end], _ends[start..end]);

    /// <summary>
    /// Replaces the whole text by <paramref name="changes"/>, Hugging Face's <c>transform</c>: each new character
    /// says how it relates to the old ones. 0: it replaces the next old character (and takes its span); a positive
    /// number: it is inserted (and takes the span of the old character before it); -n: it replaces the next old
    /// character and the n after it are removed. <paramref name="initialOffset"/> old characters are removed first.
    /// </summary>
    public void Transform(IReadOnlyList<(Rune Rune, int Change)> changes, int initialOffset)
    {
        var text = new StringBuilder(Text.Length + 8);
        var starts = new List<int>(Text.Length + 8);
        var ends = new List<int>(Text.Length + 8);
        int offset = 0;
        for (int i = 0; i < initialOffset; i++)
            offset += CharLength(offset);
        foreach ((Rune rune, int change) in changes)
        {
            int start, end;
            if (change > 0)
            {
                (start, end) = offset < 1 ? (0, 0) : (_starts[offset - 1], _ends[offset - 1]);
            }
            else
            {
                (start, end) = (_starts[offset], _ends[offset]);
                offset += CharLength(offset);
                for (int removed = 0; removed < -change; removed++)
                    offset += CharLength(offset);
            }
            text.Append(rune.ToString());
            for (int unit = 0; unit < rune.Utf16SequenceLength; unit++)
            {
                starts.Add(start);
                ends.Add(end);
            }
        }
        Text = text.ToString();
        _starts = [.. starts];
        _ends = [.. ends];
    }

    /// <summary>The UTF-16 length of the character at <paramref name="index"/> (1 for an unpaired surrogate).</summary>
    private int CharLength(int index)
        => char.IsHighSurrogate(Text[index]) && index + 1 < Text.Length && char.IsLowSurrogate(Text[index + 1]) ? 2 : 1;
}
