using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// Holds <see cref="ModernBertTokenizer.Encode(string, string?, bool, Truncation?)"/> of the reference (ModernBERT's
/// byte-level BPE) tokenizer to Hugging Face tokenizers: ids, type ids, offsets and sequence ids of single texts and
/// pairs in many scripts, with and without special tokens, with each truncation strategy.
/// </summary>
public sealed class ByteLevelBpeAgainstHuggingFaceTests
{
    [Fact]
    public async Task SingleTextsAndPairsEncodeAsInHuggingFace()
    {
        string file = Path.Combine(Fixtures.Require("tokenizer"), "tokenizer.json");
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        IReadOnlyList<string> texts = [.. MultilingualTexts.All, "[CLS] a [MASK] b [SEP]", "x  [MASK]  y  "];
        var requests = new List<EncodeRequest>();
        for (int i = 0; i < texts.Count; i++)
        {
            string pair = texts[(i * 7 + 3) % texts.Count];
            requests.Add(new EncodeRequest(file, texts[i]));
            requests.Add(new EncodeRequest(file, texts[i], AddSpecialTokens: false));
            requests.Add(new EncodeRequest(file, texts[i], pair));
            requests.Add(new EncodeRequest(file, texts[i], pair, AddSpecialTokens: false));
        }

        await HuggingFaceEncodings.AssertSameAsync(requests, _ => tokenizer);
    }

    [Fact]
    public async Task TruncationCutsAsInHuggingFace()
    {
        string file = Path.Combine(Fixtures.Require("tokenizer"), "tokenizer.json");
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        IReadOnlyList<string> texts = MultilingualTexts.All;
        // Added tokens count towards tokenizers' early stop at the maximum length but never end it: runs of [MASK] test that.
        string[] masks = ["[MASK][MASK][MASK][MASK][MASK][MASK] then words", "one [MASK] [MASK] [MASK] [MASK] two three four"];
        var requests = new List<EncodeRequest>();
        foreach (int maxLength in new[] { 3, 4, 5, 8, 13, 32 })
        {
            foreach (string strategy in Enum.GetNames<TruncationStrategy>())
            {
                for (int i = 0; i < texts.Count; i += 3)
                {
                    string pair = texts[(i * 5 + 1) % texts.Count];
                    requests.Add(new EncodeRequest(file, texts[i], null, true, maxLength, strategy));
                    foreach (bool special in new[] { true, false })
                        requests.Add(new EncodeRequest(file, texts[i], pair, special, maxLength, strategy));
                }
                requests.Add(new EncodeRequest(file, masks[0], masks[1], true, maxLength, strategy));
                requests.Add(new EncodeRequest(file, masks[1], masks[0], false, maxLength, strategy));
            }
        }

        await HuggingFaceEncodings.AssertSameAsync(requests, _ => tokenizer);
    }

    [Fact]
    public void AddedTokenCount_IsTheTemplatesSpecialTokens()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();

        Assert.Equal(2, tokenizer.AddedTokenCount(pair: false));
        Assert.Equal(3, tokenizer.AddedTokenCount(pair: true));
    }

    [Fact]
    public void ApplyTemplate_OfEncodingsWithoutSpecialTokens_IsTheEncodingWithThem()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        TokenEncoding first = tokenizer.Encode("Hello wörld", null, addSpecialTokens: false);
        TokenEncoding second = tokenizer.Encode("🤖 again", null, addSpecialTokens: false);

        TokenEncoding applied = tokenizer.ApplyTemplate(first, second);
        TokenEncoding encoded = tokenizer.Encode("Hello wörld", "🤖 again");

        Assert.Equal(encoded.Ids, applied.Ids);
        Assert.Equal(encoded.TypeIds, applied.TypeIds);
        Assert.Equal(encoded.Offsets, applied.Offsets);
        Assert.Equal(encoded.SequenceIds, applied.SequenceIds);
    }
}
