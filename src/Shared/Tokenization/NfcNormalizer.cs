using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace ModernBert.Tokenization;

/// <summary>
/// Unicode Normalization Form C, written here because the process runs with InvariantGlobalization (where
/// <see cref="string.Normalize()"/> returns non-ASCII text unchanged) and Microsoft.ML.Tokenizers has no NFC
/// normalizer. Tables come from <see cref="UnicodeNormalizationData"/>; Hangul syllables are handled
/// algorithmically, as the standard (UAX #15) describes.
/// </summary>
internal static class NfcNormalizer
{
    private const int HangulSyllableBase = 0xAC00;
    private const int HangulLeadBase = 0x1100;
    private const int HangulVowelBase = 0x1161;
    private const int HangulTrailBase = 0x11A7;
    private const int HangulLeadCount = 19;
    private const int HangulVowelCount = 21;
    private const int HangulTrailCount = 28;
    private const int HangulSyllablesPerLead = HangulVowelCount * HangulTrailCount;
    private const int HangulSyllableCount = HangulLeadCount * HangulSyllablesPerLead;

    /// <summary>Below this code point no character decomposes, combines or has a non-zero combining class.</summary>
    private const char FirstUnstableCandidate = '\u0300';

    /// <summary>A decomposed code point never expands to more than this many code points.</summary>
    private const int MaxDecompositionLength = 4;

    private static readonly FrozenDictionary<int, int[]> FullDecompositions;
    private static readonly FrozenDictionary<long, int> Compositions;
    private static readonly FrozenDictionary<int, byte> CombiningClasses;

    /// <summary>One bit per BMP character that may change under NFC or combine with what precedes it.</summary>
    private static readonly ulong[] UnstableBmpCharacters = new ulong[65536 / 64];
    private static readonly FrozenSet<int> UnstableSupplementaryCodePoints;

    static NfcNormalizer()
    {
        var classes = new Dictionary<int, byte>();
        ReadOnlySpan<int> ranges = UnicodeNormalizationData.CombiningClassRanges;
        for (int i = 0; i < ranges.Length; i += 3)
        {
            for (int codePoint = ranges[i]; codePoint <= ranges[i + 1]; codePoint++)
                classes[codePoint] = (byte)ranges[i + 2];
        }
        CombiningClasses = classes.ToFrozenDictionary();

        var oneStep = new Dictionary<int, (int First, int Second)>();
        ReadOnlySpan<int> decompositions = UnicodeNormalizationData.CanonicalDecompositions;
        for (int i = 0; i < decompositions.Length; i += 3)
            oneStep[decompositions[i]] = (decompositions[i + 1], decompositions[i + 2]);

        var excluded = new HashSet<int>();
        foreach (int codePoint in UnicodeNormalizationData.CompositionExclusions)
            excluded.Add(codePoint);

        var full = new Dictionary<int, int[]>();
        var compositions = new Dictionary<long, int>();
        var unstable = new HashSet<int>(classes.Keys);
        foreach ((int codePoint, (int first, int second)) in oneStep)
        {
            var expansion = new List<int>();
            Expand(codePoint, oneStep, expansion);
            full[codePoint] = [.. expansion];
            if (second != 0 && !excluded.Contains(codePoint))
            {
                compositions[CompositionKey(first, second)] = codePoint;
                unstable.Add(second);
            }
            else
            {
                unstable.Add(codePoint); // a singleton or an exclusion: never survives NFC
            }
        }
        FullDecompositions = full.ToFrozenDictionary();
        Compositions = compositions.ToFrozenDictionary();

        for (int vowel = HangulVowelBase; vowel < HangulVowelBase + HangulVowelCount; vowel++)
            unstable.Add(vowel);
        for (int trail = HangulTrailBase + 1; trail < HangulTrailBase + HangulTrailCount; trail++)
            unstable.Add(trail);

        foreach (int codePoint in unstable)
        {
            if (codePoint < 0x10000)
                UnstableBmpCharacters[codePoint >> 6] |= 1UL << (codePoint & 63);
        }
        UnstableSupplementaryCodePoints = unstable.Where(codePoint => codePoint >= 0x10000).ToFrozenSet();
    }

    /// <summary>
    /// False when <paramref name="text"/> is certainly in NFC already (the usual case, checked without allocating);
    /// true when <see cref="Normalize"/> has to look at it.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The text holds an unpaired surrogate before any character that needs normalization (one after it is left to
    /// <see cref="Normalize"/>, which rejects it).
    /// </exception>
    public static bool MayNeedNormalization(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < FirstUnstableCandidate)
                continue;
            if (!char.IsSurrogate(c))
            {
                if ((UnstableBmpCharacters[c >> 6] & (1UL << (c & 63))) != 0)
                    return true;
                continue;
            }
            if (!char.IsHighSurrogate(c) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                throw UnpairedSurrogate(i);
            if (UnstableSupplementaryCodePoints.Contains(char.ConvertToUtf32(c, text[i + 1])))
                return true;
            i++;
        }
        return false;
    }

    /// <summary>The NFC form of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text holds an unpaired surrogate (it is not valid UTF-16).</exception>
    public static string Normalize(ReadOnlySpan<char> text)
    {
        int[] buffer = ArrayPool<int>.Shared.Rent(Math.Max(1, text.Length * MaxDecompositionLength));
        try
        {
            int length = Decompose(text, buffer);
            SortCanonically(buffer.AsSpan(0, length));
            length = Compose(buffer.AsSpan(0, length));
            return ToUtf16(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The NFC form of <paramref name="text"/> as Hugging Face's <c>transform</c> changes (see
    /// <see cref="NormalizedText.Transform"/>), computed as its unicode-normalization-alignments crate does: a
    /// decomposition's first code point replaces its source and the others are inserted (+1); canonical ordering
    /// moves each code point with its change; a mark composed into its starter is removed (the starter's change
    /// takes the mark's, minus one).
    /// </summary>
    /// <exception cref="ArgumentException">The text holds an unpaired surrogate (it is not valid UTF-16).</exception>
    public static List<(Rune Rune, int Change)> NormalizeWithChanges(ReadOnlySpan<char> text)
        => NormalizeWithChanges(text, compatibility: false, compose: true);

    /// <summary>
    /// NFC, NFD, NFKC or NFKD (<paramref name="compatibility"/>: compatibility decompositions too;
    /// <paramref name="compose"/>: canonical composition after) as changes, like <see cref="NormalizeWithChanges(ReadOnlySpan{char})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The text holds an unpaired surrogate (it is not valid UTF-16).</exception>
    public static List<(Rune Rune, int Change)> NormalizeWithChanges(ReadOnlySpan<char> text, bool compatibility, bool compose)
    {
        var codePoints = new List<int>(text.Length + 4);
        var changes = new List<int>(text.Length + 4);
        Span<int> expansion = stackalloc int[MaxDecompositionLength];
        int index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed) != OperationStatus.Done)
                throw UnpairedSurrogate(index);
            index += consumed;
            if (compatibility && CompatibilityDecompositions.Value.TryGetValue(rune.Value, out int[]? compatible))
            {
                for (int i = 0; i < compatible.Length; i++)
                {
                    codePoints.Add(compatible[i]);
                    changes.Add(i == 0 ? 0 : 1);
                }
                continue;
            }
            int count = Decompose(rune.Value, expansion);
            for (int i = 0; i < count; i++)
            {
                codePoints.Add(expansion[i]);
                changes.Add(i == 0 ? 0 : 1);
            }
        }
        // Canonical ordering: a stable insertion sort of each run of non-starters, changes travelling along.
        for (int i = 1; i < codePoints.Count; i++)
        {
            int codePoint = codePoints[i];
            int change = changes[i];
            byte combiningClass = CombiningClass(codePoint);
            if (combiningClass == 0)
                continue;
            int j = i - 1;
            while (j >= 0 && CombiningClass(codePoints[j]) > combiningClass)
            {
                codePoints[j + 1] = codePoints[j];
                changes[j + 1] = changes[j];
                j--;
            }
            codePoints[j + 1] = codePoint;
            changes[j + 1] = change;
        }
        var result = new List<(Rune Rune, int Change)>(codePoints.Count);
        if (!compose)
        {
            for (int i = 0; i < codePoints.Count; i++)
                result.Add((new Rune(codePoints[i]), changes[i]));
            return result;
        }
        int starterIndex = -1;
        int lastClass = 0;
        for (int i = 0; i < codePoints.Count; i++)
        {
            int codePoint = codePoints[i];
            int combiningClass = CombiningClass(codePoint);
            if (starterIndex >= 0)
            {
                bool blocked = lastClass != 0 && lastClass >= combiningClass;
                if (!blocked && TryCompose(result[starterIndex].Rune.Value, codePoint, out int composite))
                {
                    result[starterIndex] = (new Rune(composite), result[starterIndex].Change + changes[i] - 1);
                    continue;
                }
            }
            if (combiningClass == 0)
            {
                starterIndex = result.Count;
                lastClass = 0;
            }
            else
            {
                lastClass = combiningClass;
            }
            result.Add((new Rune(codePoint), changes[i]));
        }
        return result;
    }

    /// <summary>
    /// Full compatibility decompositions (compatibility and canonical mappings applied until none is left), of every
    /// code point with a compatibility mapping or a canonical one: a canonical decomposition may hold a code point with a
    /// compatibility mapping (U+2000 is U+2002, which is compatibly a space).
    /// </summary>
    private static readonly Lazy<FrozenDictionary<int, int[]>> CompatibilityDecompositions = new(() =>
    {
        var oneStep = new Dictionary<int, int[]>();
        ReadOnlySpan<int> entries = UnicodeNormalizationData.CompatibilityDecompositions;
        for (int i = 0; i < entries.Length; i += 2 + entries[i + 1])
            oneStep[entries[i]] = entries.Slice(i + 2, entries[i + 1]).ToArray();
        var decomposable = new HashSet<int>(oneStep.Keys);
        ReadOnlySpan<int> canonical = UnicodeNormalizationData.CanonicalDecompositions;
        for (int i = 0; i < canonical.Length; i += 3)
            decomposable.Add(canonical[i]);
        var full = new Dictionary<int, int[]>();
        foreach (int codePoint in decomposable)
        {
            var expansion = new List<int>();
            ExpandCompatibility(codePoint, oneStep, expansion);
            full[codePoint] = [.. expansion];
        }
        return full.ToFrozenDictionary();
    });

    private static void ExpandCompatibility(int codePoint, Dictionary<int, int[]> oneStep, List<int> expansion)
    {
        if (oneStep.TryGetValue(codePoint, out int[]? parts))
        {
            foreach (int part in parts)
                ExpandCompatibility(part, oneStep, expansion);
            return;
        }
        Span<int> canonical = stackalloc int[MaxDecompositionLength];
        int count = Decompose(codePoint, canonical);
        if (count == 1 && canonical[0] == codePoint)
        {
            expansion.Add(codePoint);
            return;
        }
        foreach (int part in canonical[..count])
            ExpandCompatibility(part, oneStep, expansion);
    }

    /// <summary>The full canonical decomposition of one code point into <paramref name="destination"/>; returns its length.</summary>
    private static int Decompose(int codePoint, Span<int> destination)
    {
        int syllable = codePoint - HangulSyllableBase;
        if ((uint)syllable < HangulSyllableCount)
        {
            destination[0] = HangulLeadBase + syllable / HangulSyllablesPerLead;
            destination[1] = HangulVowelBase + syllable % HangulSyllablesPerLead / HangulTrailCount;
            int trail = syllable % HangulTrailCount;
            if (trail == 0)
                return 2;
            destination[2] = HangulTrailBase + trail;
            return 3;
        }
        if (FullDecompositions.TryGetValue(codePoint, out int[]? expansion))
        {
            expansion.CopyTo(destination);
            return expansion.Length;
        }
        destination[0] = codePoint;
        return 1;
    }

    private static int Decompose(ReadOnlySpan<char> text, Span<int> destination)
    {
        int length = 0;
        int index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed) != OperationStatus.Done)
                throw UnpairedSurrogate(index);
            index += consumed;
            int codePoint = rune.Value;
            int syllable = codePoint - HangulSyllableBase;
            if ((uint)syllable < HangulSyllableCount)
            {
                destination[length++] = HangulLeadBase + syllable / HangulSyllablesPerLead;
                destination[length++] = HangulVowelBase + syllable % HangulSyllablesPerLead / HangulTrailCount;
                int trail = syllable % HangulTrailCount;
                if (trail != 0)
                    destination[length++] = HangulTrailBase + trail;
            }
            else if (FullDecompositions.TryGetValue(codePoint, out int[]? expansion))
            {
                expansion.CopyTo(destination[length..]);
                length += expansion.Length;
            }
            else
            {
                destination[length++] = codePoint;
            }
        }
        return length;
    }

    /// <summary>Stable sort of every run of non-starters by combining class (canonical ordering).</summary>
    private static void SortCanonically(Span<int> codePoints)
    {
        for (int i = 1; i < codePoints.Length; i++)
        {
            int codePoint = codePoints[i];
            byte combiningClass = CombiningClass(codePoint);
            if (combiningClass == 0)
                continue;
            int j = i - 1;
            while (j >= 0 && CombiningClass(codePoints[j]) > combiningClass)
            {
                codePoints[j + 1] = codePoints[j];
                j--;
            }
            codePoints[j + 1] = codePoint;
        }
    }

    /// <summary>Canonical composition in place; returns the new length.</summary>
    private static int Compose(Span<int> codePoints)
    {
        if (codePoints.IsEmpty)
            return 0;
        int starterIndex = 0;
        int starter = codePoints[0];
        // A leading non-starter cannot take part in composition: mark it as blocking.
        int lastClass = CombiningClass(starter) == 0 ? 0 : 256;
        int length = 1;
        for (int i = 1; i < codePoints.Length; i++)
        {
            int codePoint = codePoints[i];
            int combiningClass = CombiningClass(codePoint);
            bool blocked = lastClass != 0 && lastClass >= combiningClass;
            if (!blocked && TryCompose(starter, codePoint, out int composite))
            {
                codePoints[starterIndex] = composite;
                starter = composite;
                continue;
            }
            if (combiningClass == 0)
            {
                starterIndex = length;
                starter = codePoint;
            }
            lastClass = combiningClass;
            codePoints[length++] = codePoint;
        }
        return length;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int leadIndex = first - HangulLeadBase;
        int vowelIndex = second - HangulVowelBase;
        if ((uint)leadIndex < HangulLeadCount && (uint)vowelIndex < HangulVowelCount)
        {
            composite = HangulSyllableBase + (leadIndex * HangulVowelCount + vowelIndex) * HangulTrailCount;
            return true;
        }
        int syllableIndex = first - HangulSyllableBase;
        int trailIndex = second - HangulTrailBase;
        if ((uint)syllableIndex < HangulSyllableCount && syllableIndex % HangulTrailCount == 0
            && trailIndex > 0 && trailIndex < HangulTrailCount)
        {
            composite = first + trailIndex;
            return true;
        }
        return Compositions.TryGetValue(CompositionKey(first, second), out composite);
    }

    private static string ToUtf16(ReadOnlySpan<int> codePoints)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(1, codePoints.Length * 2));
        try
        {
            int length = 0;
            foreach (int codePoint in codePoints)
                length += new Rune(codePoint).EncodeToUtf16(chars.AsSpan(length));
            return new string(chars, 0, length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static byte CombiningClass(int codePoint)
        => codePoint < FirstUnstableCandidate ? (byte)0 : CombiningClasses.GetValueOrDefault(codePoint);

    private static long CompositionKey(int first, int second) => ((long)first << 21) | (uint)second;

    private static void Expand(int codePoint, Dictionary<int, (int First, int Second)> oneStep, List<int> expansion)
    {
        if (!oneStep.TryGetValue(codePoint, out (int First, int Second) parts))
        {
            expansion.Add(codePoint);
            return;
        }
        Expand(parts.First, oneStep, expansion);
        if (parts.Second != 0)
            Expand(parts.Second, oneStep, expansion);
    }

    private static ArgumentException UnpairedSurrogate(int index)
        => new($"The text is not valid UTF-16: unpaired surrogate at index {index}.", "text");
}
