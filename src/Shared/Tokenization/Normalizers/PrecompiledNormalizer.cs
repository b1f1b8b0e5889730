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

    [ThreadStatic]
    private static List<Replacement>? t_replacements;

    public void Normalize(NormalizedText text)
    {
        string source = text.Text;
        List<Replacement> replacements = t_replacements ??= [];
        replacements.Clear();
        FindReplacements(source, replacements);
        if (replacements.Count == 0)
            return;
        if (replacements.TrueForAll(replacement => replacement.KeepsLength) && !source.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            // Each character replaced by one as long: every unit keeps its span, as the changes below would give
            // (they would also turn an unpaired surrogate into U+FFFD, hence the general way for any surrogate).
            text.ReplaceSameLength(string.Create(source.Length, (source, replacements), static (units, state) =>
            {
                state.source.CopyTo(units);
                foreach (Replacement replacement in state.replacements)
                    replacement.Text.CopyTo(units[replacement.Start..]);
            }));
            return;
        }
        // The changes are listed from the first character the map changes on, the ones before it being unchanged.
        var changes = new List<(System.Text.Rune Rune, int Change)>(source.Length);
        int at = 0;
        foreach (Replacement replacement in replacements)
        {
            AddUnchanged(changes, source, at, replacement.Start);
            Replace(changes, source.AsSpan(replacement.Start, replacement.Length), replacement.Text);
            at = replacement.Start + replacement.Length;
        }
        AddUnchanged(changes, source, at, source.Length);
        text.Transform(changes, initialOffset: 0);
    }

    /// <summary>What the map replaces, in order: each grapheme (of fewer than 6 UTF-8 bytes) it has, else each character it has.</summary>
    private void FindReplacements(string source, List<Replacement> replacements)
    {
        for (int start = 0; start < source.Length;)
        {
            if (IsKeptAsciiGrapheme(source, start))
            {
                start++;
                continue;
            }
            int length = StringInfo.GetNextTextElementLength(source, start);
            ReadOnlySpan<char> grapheme = source.AsSpan(start, length);
            if (System.Text.Encoding.UTF8.GetByteCount(grapheme) < 6 && charsMap.TryNormalize(grapheme, out string replacement))
            {
                replacements.Add(new Replacement(start, length, replacement, SameLength(grapheme, replacement)));
            }
            else
            {
                for (int i = 0; i < grapheme.Length;)
                {
                    int width = char.IsHighSurrogate(grapheme[i]) && i + 1 < grapheme.Length && char.IsLowSurrogate(grapheme[i + 1]) ? 2 : 1;
                    ReadOnlySpan<char> part = grapheme.Slice(i, width);
                    if (charsMap.TryNormalize(part, out string partReplacement))
                        replacements.Add(new Replacement(start + i, width, partReplacement, SameLength(part, partReplacement)));
                    i += width;
                }
            }
            start += length;
        }
    }

    /// <summary>One character for one of as many units (an unpaired surrogate is a character of its own).</summary>
    private static bool SameLength(ReadOnlySpan<char> old, string replacement)
        => old.Length == replacement.Length && CountRunes(old) == 1 && CountRunes(replacement) == 1;

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

    /// <summary>Adds the changes that keep the characters of <paramref name="source"/> in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private static void AddUnchanged(List<(System.Text.Rune Rune, int Change)> changes, string source, int start, int end)
    {
        for (int i = start; i < end;)
        {
            System.Text.Rune rune = System.Text.Rune.TryGetRuneAt(source, i, out System.Text.Rune decoded) ? decoded : System.Text.Rune.ReplacementChar;
            changes.Add((rune, 0));
            i += System.Text.Rune.TryGetRuneAt(source, i, out _) ? decoded.Utf16SequenceLength : 1;
        }
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

    /// <summary>The map's <paramref name="Text"/> for the <paramref name="Length"/> units at <paramref name="Start"/>.</summary>
    private readonly record struct Replacement(int Start, int Length, string Text, bool KeepsLength);
}
