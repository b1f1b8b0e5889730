using System.Globalization;

namespace ModernBert.Tokenization.Normalizers;

/// <summary>
/// Precompiled (tokenizers/src/normalizers/precompiled.rs): SentencePiece's charsmap applied to each grapheme (of
/// fewer than 6 UTF-8 bytes) or else to each of its characters, with tokenizers' change counting (the new text's
/// characters replace the old ones in order; extra ones are inserted at the end, missing ones removed with the last).
/// </summary>
internal sealed class PrecompiledNormalizer(Models.PrecompiledCharsMap charsMap) : INormalizer
{
    /// <summary>The ASCII characters the map leaves as they are.</summary>
    private readonly bool[] _keptAscii = [.. Enumerable.Range(0, 128).Select(c => !charsMap.TryNormalize([(char)c], out _))];

    public void Normalize(NormalizedText text)
    {
        string source = text.Text;
        // The changes are listed from the first character the map changes on, the ones before it being unchanged.
        List<(System.Text.Rune Rune, int Change)>? changes = null;
        for (int start = 0; start < source.Length;)
        {
            if (IsKeptAsciiGrapheme(source, start))
            {
                changes?.Add((new System.Text.Rune(source[start]), 0));
                start++;
                continue;
            }
            int length = StringInfo.GetNextTextElementLength(source, start);
            ReadOnlySpan<char> grapheme = source.AsSpan(start, length);
            if (System.Text.Encoding.UTF8.GetByteCount(grapheme) < 6 && charsMap.TryNormalize(grapheme, out string replacement))
            {
                changes ??= Unchanged(source, start);
                Replace(changes, grapheme, replacement);
            }
            else
            {
                for (int i = 0; i < grapheme.Length;)
                {
                    int width = char.IsHighSurrogate(grapheme[i]) && i + 1 < grapheme.Length && char.IsLowSurrogate(grapheme[i + 1]) ? 2 : 1;
                    ReadOnlySpan<char> part = grapheme.Slice(i, width);
                    if (charsMap.TryNormalize(part, out string partReplacement))
                    {
                        changes ??= Unchanged(source, start + i);
                        Replace(changes, part, partReplacement);
                    }
                    else
                    {
                        changes?.Add((System.Text.Rune.TryGetRuneAt(source, start + i, out System.Text.Rune rune) ? rune : System.Text.Rune.ReplacementChar, 0));
                    }
                    i += width;
                }
            }
            start += length;
        }
        if (changes is not null)
            text.Transform(changes, initialOffset: 0);
    }

    /// <summary>
    /// An ASCII character the map keeps, which is a grapheme of its own: one followed by the end or by another ASCII
    /// character (CR LF aside), as nothing that extends a grapheme is ASCII.
    /// </summary>
    private bool IsKeptAsciiGrapheme(string source, int index)
    {
        char character = source[index];
        if (character >= 128 || !_keptAscii[character])
            return false;
        if (index + 1 == source.Length)
            return true;
        char next = source[index + 1];
        return next < 128 && !(character == '\r' && next == '\n');
    }

    /// <summary>The changes that keep the characters of <paramref name="source"/> before <paramref name="end"/>.</summary>
    private static List<(System.Text.Rune Rune, int Change)> Unchanged(string source, int end)
    {
        var changes = new List<(System.Text.Rune Rune, int Change)>(source.Length);
        for (int i = 0; i < end;)
        {
            System.Text.Rune rune = System.Text.Rune.TryGetRuneAt(source, i, out System.Text.Rune decoded) ? decoded : System.Text.Rune.ReplacementChar;
            changes.Add((rune, 0));
            i += System.Text.Rune.TryGetRuneAt(source, i, out _) ? decoded.Utf16SequenceLength : 1;
        }
        return changes;
    }

    /// <summary>precompiled.rs <c>replace</c>: the changes of putting <paramref name="newPart"/> where <paramref name="oldPart"/> was.</summary>
    private static void Replace(List<(System.Text.Rune Rune, int Change)> changes, ReadOnlySpan<char> oldPart, string newPart)
    {
        int oldCount = CountRunes(oldPart);
        int newCount = CountRunes(newPart);
        foreach (System.Text.Rune rune in newPart.EnumerateRunes())
            changes.Add((rune, 0));
        int difference = newCount - oldCount;
        if (difference > 0)
        {
            for (int i = changes.Count - difference; i < changes.Count; i++)
                changes[i] = (changes[i].Rune, 1);
        }
        else if (difference < 0 && changes.Count > 0)
        {
            changes[^1] = (changes[^1].Rune, changes[^1].Change + difference);
        }
    }

    private static int CountRunes(ReadOnlySpan<char> text)
    {
        int count = 0;
        foreach (System.Text.Rune _ in text.EnumerateRunes())
            count++;
        return count;
    }
}
