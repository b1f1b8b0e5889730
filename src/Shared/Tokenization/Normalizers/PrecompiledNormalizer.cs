using System.Globalization;

namespace ModernBert.Tokenization.Normalizers;

/// <summary>
/// Precompiled (tokenizers/src/normalizers/precompiled.rs): SentencePiece's charsmap applied to each grapheme (of
/// fewer than 6 UTF-8 bytes) or else to each of its characters, with tokenizers' change counting (the new text's
/// characters replace the old ones in order; extra ones are inserted at the end, missing ones removed with the last).
/// </summary>
internal sealed class PrecompiledNormalizer(Models.PrecompiledCharsMap charsMap) : INormalizer
{
    public void Normalize(NormalizedText text)
    {
        string source = text.Text;
        var changes = new List<(System.Text.Rune Rune, int Change)>(source.Length);
        bool modified = false;
        for (int start = 0; start < source.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(source, start);
            ReadOnlySpan<char> grapheme = source.AsSpan(start, length);
            if (System.Text.Encoding.UTF8.GetByteCount(grapheme) < 6 && charsMap.TryNormalize(grapheme, out string replacement))
            {
                modified = true;
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
                        modified = true;
                        Replace(changes, part, partReplacement);
                    }
                    else
                    {
                        changes.Add((System.Text.Rune.TryGetRuneAt(source, start + i, out System.Text.Rune rune) ? rune : System.Text.Rune.ReplacementChar, 0));
                    }
                    i += width;
                }
            }
            start += length;
        }
        if (modified)
            text.Transform(changes, initialOffset: 0);
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
