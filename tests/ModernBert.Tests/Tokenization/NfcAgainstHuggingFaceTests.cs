using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// Holds <see cref="NfcNormalizer"/> to Hugging Face tokenizers' own NFC (the npm package <c>tokenizers</c>, the Node
/// binding of the Rust library, run by tests/tools/hf-nfc.mjs): every Unicode code point, generated sequences of
/// bases and combining marks in every order, and translated messages in many scripts (the system's gettext
/// catalogues), as written and decomposed. The tokenizer's own path is compared too: text that
/// <see cref="NfcNormalizer.MayNeedNormalization"/> lets through unchanged must be what Hugging Face gives.
/// </summary>
public sealed class NfcAgainstHuggingFaceTests
{
    [Fact]
    public async Task EveryCodePointNormalizesAsInHuggingFace()
    {
        // Surrogates are not characters; the rest go in groups, one per line, to keep the calls few.
        IEnumerable<int> codePoints = Enumerable.Range(0, 0x110000).Where(codePoint => codePoint is < 0xD800 or > 0xDFFF);
        string[] inputs = [.. codePoints.Chunk(1024).Select(group => string.Join('\n', group.Select(char.ConvertFromUtf32)))];

        await AssertSameAsHuggingFaceAsync(inputs);
    }

    /// <remarks>A canonical decomposition may hold a code point with a compatibility mapping: U+2000 is U+2002, which NFKC makes a space.</remarks>
    [Theory]
    [InlineData("nfd", false, false)]
    [InlineData("nfkc", true, true)]
    [InlineData("nfkd", true, false)]
    public async Task EveryCodePointTakesTheOtherNormalFormsAsInHuggingFace(string form, bool compatibility, bool compose)
    {
        IEnumerable<int> codePoints = Enumerable.Range(0, 0x110000).Where(codePoint => codePoint is < 0xD800 or > 0xDFFF);
        string[] inputs = [.. codePoints.Chunk(1024).Select(group => string.Join('\n', group.Select(char.ConvertFromUtf32)))];

        string[] expected = await HuggingFaceNormalFormAsync(inputs, form);

        var mismatches = new List<string>();
        for (int i = 0; i < inputs.Length && mismatches.Count < 20; i++)
        {
            string ours = string.Concat(NfcNormalizer.NormalizeWithChanges(inputs[i], compatibility, compose).Select(change => change.Rune.ToString()));
            if (ours != expected[i])
                mismatches.AddRange(FirstDifferences(inputs[i], ours, ours, expected[i]));
        }
        Assert.True(mismatches.Count == 0, $"NfcNormalizer's {form} differs from Hugging Face's:\n{string.Join('\n', mismatches)}");
    }

    [Fact]
    public async Task SequencesOfBasesAndCombiningMarksNormalizeAsInHuggingFace()
    {
        (int[] bases, int[] marks) = Alphabet();
        var random = new Random(12);
        var inputs = new List<string>();
        // Every decomposable character spelled out, and with its marks in reverse order.
        foreach (int composite in Decompositions.Keys)
        {
            int[] spelled = Decompose(composite);
            inputs.Add(FromCodePoints(spelled));
            inputs.Add(FromCodePoints([spelled[0], .. spelled[1..].Reverse()]));
        }
        // A base, then one to five marks (or starters that compose with what precedes them), drawn at random.
        for (int i = 0; i < 200_000; i++)
        {
            var sequence = new List<int> { bases[random.Next(bases.Length)] };
            for (int count = random.Next(1, 6); count > 0; count--)
                sequence.Add(random.Next(4) == 0 ? bases[random.Next(bases.Length)] : marks[random.Next(marks.Length)]);
            inputs.Add(FromCodePoints(sequence));
        }

        await AssertSameAsHuggingFaceAsync(inputs);
    }

    [Fact]
    public async Task TranslatedMessagesInManyScriptsNormalizeAsInHuggingFace()
    {
        List<string> messages = SystemMessages();
        Assert.True(messages.Count >= 10_000, $"Only {messages.Count} non-ASCII messages were found under /usr/share/locale.");
        Assert.True(messages.Select(message => message.Select(c => CharUnicodeInfo.GetUnicodeCategory(c)))
            .Any(categories => categories.Contains(UnicodeCategory.NonSpacingMark)), "No message holds a combining mark.");

        await AssertSameAsHuggingFaceAsync([.. messages, .. messages.Select(DecomposeAll)]);
    }

    private static async Task AssertSameAsHuggingFaceAsync(IReadOnlyList<string> inputs)
    {
        string[] expected = await HuggingFaceNfcAsync(inputs);
        var mismatches = new List<string>();
        for (int i = 0; i < inputs.Count && mismatches.Count < 20; i++)
        {
            string ours = NfcNormalizer.Normalize(inputs[i]);
            string tokenizerPath = NfcNormalizer.MayNeedNormalization(inputs[i]) ? ours : inputs[i];
            if (ours != expected[i] || tokenizerPath != expected[i])
                mismatches.AddRange(FirstDifferences(inputs[i], ours, tokenizerPath, expected[i]));
        }
        Assert.True(mismatches.Count == 0, $"NfcNormalizer differs from Hugging Face's NFC:\n{string.Join('\n', mismatches)}");
    }

    /// <summary>The lines of a grouped input that differ (lines are separated by '\n', which NFC leaves alone).</summary>
    private static IEnumerable<string> FirstDifferences(string input, string ours, string tokenizerPath, string expected)
    {
        string[] inputs = input.Split('\n'), oursLines = ours.Split('\n'), pathLines = tokenizerPath.Split('\n'), expectedLines = expected.Split('\n');
        if (oursLines.Length != expectedLines.Length || pathLines.Length != expectedLines.Length)
            return [$"{Show(input)}: ours {Show(ours)}, tokenizer {Show(tokenizerPath)}, Hugging Face {Show(expected)}"];
        return Enumerable.Range(0, inputs.Length)
            .Where(i => oursLines[i] != expectedLines[i] || pathLines[i] != expectedLines[i])
            .Take(20)
            .Select(i => $"{Show(inputs[i])}: ours {Show(oursLines[i])}, tokenizer {Show(pathLines[i])}, Hugging Face {Show(expectedLines[i])}");
    }

    private static string Show(string text)
    {
        var codePoints = new List<string>();
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
            codePoints.Add($"U+{char.ConvertToUtf32(text, i):X4}");
        return $"[{string.Join(' ', codePoints)}]";
    }

    private static Task<string[]> HuggingFaceNfcAsync(IReadOnlyList<string> inputs) => HuggingFaceNormalFormAsync(inputs, "nfc");

    private static async Task<string[]> HuggingFaceNormalFormAsync(IReadOnlyList<string> inputs, string form)
    {
        // JSON escapes every non-ASCII character and line break, so each input is one ASCII line.
        string[] outputs = await HuggingFaceNode.RunAsync("hf-nfc.mjs", [.. inputs.Select(input => JsonSerializer.Serialize(input))], form);
        Assert.Equal(inputs.Count, outputs.Length);
        return [.. outputs.Select(line => JsonSerializer.Deserialize<string>(line)!)];
    }

    /// <summary>One-step canonical decompositions (code point to one or two), from the normalizer's tables.</summary>
    private static readonly Dictionary<int, int[]> Decompositions = ReadDecompositions();

    private static Dictionary<int, int[]> ReadDecompositions()
    {
        ReadOnlySpan<int> triples = UnicodeNormalizationData.CanonicalDecompositions;
        var decompositions = new Dictionary<int, int[]>();
        for (int i = 0; i < triples.Length; i += 3)
            decompositions[triples[i]] = triples[i + 2] == 0 ? [triples[i + 1]] : [triples[i + 1], triples[i + 2]];
        return decompositions;
    }

    /// <summary>The full canonical decomposition, marks left in the order the tables give (not reordered).</summary>
    private static int[] Decompose(int codePoint)
    {
        if (codePoint is >= 0xAC00 and <= 0xD7A3)
        {
            int index = codePoint - 0xAC00;
            int[] jamo = [0x1100 + index / 588, 0x1161 + index % 588 / 28];
            return index % 28 == 0 ? jamo : [.. jamo, 0x11A7 + index % 28];
        }
        return Decompositions.TryGetValue(codePoint, out int[]? parts) ? [.. Decompose(parts[0]), .. parts[1..]] : [codePoint];
    }

    private static string DecomposeAll(string text)
    {
        var codePoints = new List<int>();
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
            codePoints.AddRange(Decompose(char.ConvertToUtf32(text, i)));
        return FromCodePoints(codePoints);
    }

    /// <summary>
    /// Bases: the parts of every two-part decomposition that are starters, Hangul jamo and syllables, and letters that
    /// compose with a following character in later Unicode versions than the tables'. Marks: every combining mark
    /// (Mn, Mc, Me) that .NET's own Unicode data knows, independent of the normalizer's tables.
    /// </summary>
    private static (int[] Bases, int[] Marks) Alphabet()
    {
        var marks = new SortedSet<int>(Enumerable.Range(0, 0x110000)
            .Where(codePoint => codePoint is < 0xD800 or > 0xDFFF)
            .Where(codePoint => CharUnicodeInfo.GetUnicodeCategory(codePoint) is UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark));
        var bases = new SortedSet<int> { 'a', 'Z', 0x03B1, 0x0436, 0x05D0, 0x0627, 0x0915, 0x0E01, 0x4E00, 0x1D157, 0x105D2, 0x11382, 0x11935, 0x1611E };
        foreach (int[] parts in Decompositions.Values.Where(parts => parts.Length == 2))
            bases.UnionWith(parts.Where(part => !marks.Contains(part)));
        foreach (int jamo in new[] { 0x1100, 0x1112, 0x1161, 0x1175, 0x11A7, 0x11A8, 0x11C2, 0x11C3, 0xAC00, 0xAC01, 0xD7A3 })
            bases.Add(jamo);
        return ([.. bases], [.. marks]);
    }

    private static string FromCodePoints(IEnumerable<int> codePoints) => string.Concat(codePoints.Select(char.ConvertFromUtf32));

    /// <summary>Non-ASCII messages of the first three gettext catalogues (.mo) of each locale under /usr/share/locale.</summary>
    private static List<string> SystemMessages()
    {
        var messages = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists("/usr/share/locale"))
            return [];
        foreach (string locale in Directory.GetDirectories("/usr/share/locale").Order(StringComparer.Ordinal))
        {
            string folder = Path.Combine(locale, "LC_MESSAGES");
            if (!Directory.Exists(folder))
                continue;
            foreach (string catalogue in Directory.GetFiles(folder, "*.mo").Order(StringComparer.Ordinal).Take(3))
                messages.UnionWith(Translations(File.ReadAllBytes(catalogue)).Where(message => message.Any(c => c > 0x7F)));
        }
        return [.. messages.Order(StringComparer.Ordinal)];
    }

    /// <summary>The translated strings of a GNU gettext .mo file that are valid UTF-8 (plural forms split).</summary>
    private static IEnumerable<string> Translations(byte[] mo)
    {
        if (mo.Length < 28)
            yield break;
        bool little = BinaryPrimitives.ReadUInt32LittleEndian(mo) == 0x950412DE;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(mo) != 0x950412DE)
            yield break;
        uint Read(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(mo.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(mo.AsSpan(offset));
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        uint count = Read(8), table = Read(16);
        for (uint i = 0; i < count && table + 8 * i + 8 <= mo.Length; i++)
        {
            uint length = Read((int)(table + 8 * i)), offset = Read((int)(table + 8 * i + 4));
            if (offset + (long)length > mo.Length)
                continue;
            string? text = null;
            try
            {
                text = utf8.GetString(mo, (int)offset, (int)length);
            }
            catch (DecoderFallbackException)
            {
            }
            if (text is null)
                continue;
            foreach (string form in text.Split('\0'))
                yield return form;
        }
    }
}
