using System.Globalization;
using System.Text;
using System.Text.Json;
using ModernBert.Tests.Common;
using ModernBert.Tokenization.Models;

namespace ModernBert.Tests.Tokenization.Models;

/// <summary>
/// Holds <see cref="PrecompiledCharsMap"/> to Hugging Face's Precompiled normalizer (the npm package), on the
/// charsmaps SentencePiece builds for its normalization rules (tests/tools/spm-charsmap.py): every code point alone,
/// and multi-character graphemes the maps hold rules for, where Hugging Face looks the whole grapheme up first
/// (under 6 bytes), then each of its characters.
/// </summary>
public sealed class PrecompiledCharsMapAgainstHuggingFaceTests
{
    private static readonly string Script = Path.Combine(Fixtures.RepositoryRoot, "tests", "tools", "spm-charsmap.py");

    private static readonly string[] Graphemes =
    [
        "e\u0301", "ｶﾞ", "ﾊﾟ", "ｳﾞ", "\u1100\u1161\u11A8", "👍🏽", "🇺🇦", "\r\n", "ﬁ", "Å", "A\u030A", "ǅ", "ℌ", "①", "½", "㍿",
        "\u0041\u0300\u0301", "\u200D", "\u00A0", "\u3000", "\uFEFF", "\u0000", "ｱ", "ﾞ",
    ];

    [Theory]
    [InlineData("nmt_nfkc")]
    [InlineData("nfkc_cf")]
    public async Task LookupsGiveHuggingFacesNormalization(string rule)
    {
        string charsmap = await CharsMapAsync(rule);
        PrecompiledCharsMap map = PrecompiledCharsMap.Parse(Convert.FromBase64String(charsmap));
        List<string> texts = [.. Enumerable.Range(0, 0x110000).Where(codePoint => codePoint is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32)];
        texts.AddRange(Graphemes);
        foreach (string text in Graphemes)
            Assert.Equal(text.Length, StringInfo.GetNextTextElementLength(text));

        string[] requests = [.. texts.Chunk(65536).Select(chunk => TrainedModels.Request(new { charsmap, texts = chunk }))];
        string[] expected = [.. (await TrainedModels.RunAsync(requests))
            .SelectMany(answer => JsonDocument.Parse(answer).RootElement.GetProperty("texts").EnumerateArray().Select(text => text.GetString()!))];
        Assert.Equal(texts.Count, expected.Length);

        var mismatches = new List<string>();
        int replaced = 0;
        for (int i = 0; i < texts.Count && mismatches.Count < 20; i++)
        {
            string ours = NormalizeGrapheme(map, texts[i]);
            if (ours != texts[i])
                replaced++;
            if (ours != expected[i])
                mismatches.Add($"{JsonSerializer.Serialize(texts[i])}: ours {JsonSerializer.Serialize(ours)}, Hugging Face {JsonSerializer.Serialize(expected[i])}");
        }
        Assert.True(mismatches.Count == 0, $"The {rule} charsmap's lookups differ from Hugging Face:\n{string.Join('\n', mismatches)}");
        Assert.True(replaced > 1000, $"Only {replaced} texts were replaced: the charsmap was not read.");
    }

    [Fact]
    public void ABlobShorterThanItsTrieIsRefused()
    {
        byte[] blob = [0x10, 0, 0, 0, 1, 2, 3, 4];
        var error = Assert.Throws<InvalidDataException>(() => PrecompiledCharsMap.Parse(blob));
        Assert.Contains("fewer than its trie's 16", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The Precompiled normalizer's loop (tokenizers/src/normalizers/precompiled.rs) on one grapheme.</summary>
    private static string NormalizeGrapheme(PrecompiledCharsMap map, string grapheme)
    {
        if (Encoding.UTF8.GetByteCount(grapheme) < 6 && map.TryNormalize(grapheme, out string whole))
            return whole;
        var builder = new StringBuilder();
        foreach (Rune rune in grapheme.EnumerateRunes())
            builder.Append(map.TryNormalize(rune.ToString(), out string replacement) ? replacement : rune.ToString());
        return builder.ToString();
    }

    private static async Task<string> CharsMapAsync(string rule)
    {
        (int exitCode, string output, string errors) = await ProcessRun.RunAsync(
            "/usr/bin/python3", [Script, rule], new Dictionary<string, string>(), null, TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        if (exitCode != 0 && errors.Contains("No module named 'sentencepiece'", StringComparison.Ordinal))
            Prerequisites.Missing("/usr/bin/python3 has no sentencepiece module (Debian: apt-get install python3-sentencepiece; scripts/test.sh installs it).");
        Assert.True(exitCode == 0, $"{Script} {rule} failed: {errors}");
        return output.Trim();
    }
}
